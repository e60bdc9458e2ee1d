import { runCommand, UsageError } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { labelOf } from '../../core/systems.ts';
import { printJson } from '../output.ts';
import { decide, listQueue, ReviewRefusal, type QueueEntry } from '../../engine/review-queue.ts';

const options = {
  ...configOptions,
  json: { type: 'boolean', help: 'print JSON: {connections: [{connection, items}]} or the decision' },
  youtrack: { type: 'string', help: 'with link: the YouTrack record to link', arg: 'ID' },
  customcrm: { type: 'string', help: 'with link: the Customcrm record to link', arg: 'ID' },
} as const;

/**
 * `tandem review`: the doubtful cases waiting for a person (docs/how-sync-decides.md);
 * `tandem review ID ACTION` decides one. The decision is carried out by the next cycle.
 */
export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem review [ID ACTION] [--config FILE] [--connection NAME] [--json] [--youtrack ID --customcrm ID]',
    options,
    async (opts) => {
      const [id, action, extra] = opts._;
      if (id !== undefined && action === undefined)
        throw new UsageError(
          `Name the action for ${id}, e.g. tandem review ${id} keep-apart (tandem review lists them).`,
        );
      if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}".`);
      return withContext(opts, async (ctx) => {
        if (id !== undefined && action !== undefined) {
          if (ctx.runtimes.length > 1)
            throw new UsageError('Several connections: name one with --connection NAME.');
          try {
            const next = await decide(ctx.store, id, action, {
              by: 'cli',
              ...(opts.youtrack ? { youtrack: opts.youtrack } : {}),
              ...(opts.customcrm ? { customcrm: opts.customcrm } : {}),
            });
            if (opts.json) printJson({ id, action, next });
            else process.stdout.write(`${id}: ${action} recorded; ${next}.\n`);
            return EXIT.OK;
          } catch (err) {
            if (!(err instanceof ReviewRefusal)) throw err;
            process.stderr.write(`tandem: ${err.message}\n`);
            return EXIT.USAGE;
          }
        }
        const out = [];
        for (const rt of ctx.runtimes)
          out.push({ connection: rt.name, items: await listQueue(ctx.store.forConnection(rt.name)) });
        if (opts.json) printJson({ connections: out });
        else
          for (const c of out) {
            const prefix = out.length > 1 ? `${c.connection}: ` : '';
            if (c.items.length === 0) process.stdout.write(`${prefix}nothing waits for review.\n`);
            for (const e of c.items) process.stdout.write(describe(prefix, e));
          }
        return EXIT.OK;
      });
    },
  );
}

export function describe(prefix: string, e: QueueEntry): string {
  const lines = [`${prefix}${e.id}  ${e.kind}  [${e.flow}]  ${e.code}`, `  ${e.message}`];
  for (const r of e.records) lines.push(`  - ${r.system} ${r.type} ${r.id}  ${r.label}`);
  for (const r of e.candidates ?? [])
    lines.push(`  ~ already linked: ${r.system} ${r.type} ${r.id}  ${r.label}`);
  for (const v of e.values ?? [])
    lines.push(
      v.before !== undefined
        ? `  ${v.property} in ${labelOf(v.winner ?? 'customcrm')}: now ${JSON.stringify(v[v.winner ?? 'customcrm'] ?? null)}, before the undone cycle ${JSON.stringify(v.before)}`
        : `  ${v.property}: YouTrack ${JSON.stringify(v.youtrack ?? null)}, Customcrm ${JSON.stringify(v.customcrm ?? null)}${v.winner ? ` (${v.winner} won)` : ''}`,
    );
  lines.push(`  actions: ${e.actions.join(', ') || 'none (waiting for the next cycle)'}`);
  return lines.join('\n') + '\n\n';
}
