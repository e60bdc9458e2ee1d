import { runCommand, UsageError } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { printJson } from '../output.ts';
import { recordHistory } from '../../engine/history.ts';

const options = {
  ...configOptions,
  json: { type: 'boolean', help: 'print JSON' },
  limit: { type: 'string', help: 'entries to show', default: '100', arg: 'N' },
} as const;

/** `tandem history RECORD`: the per-field history of a record, found by name, e-mail or id on either side. */
export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem history RECORD [--config FILE] [--json]', options, async (opts) => {
    const query = opts._[0];
    if (!query) throw new UsageError('Name the record: a name, an e-mail or an id from either system.');
    return withContext(opts, async (ctx) => {
      const found = await recordHistory(ctx.store, query, Number(opts.limit));
      if (opts.json) {
        printJson(found);
        return found.length ? 0 : 1;
      }
      if (found.length === 0) {
        process.stdout.write(`No linked record matches "${query}".\n`);
        return 1;
      }
      for (const { link, history } of found) {
        process.stdout.write(
          `${link.label}  [${link.flow}] YouTrack ${link.ytType} ${link.ytId} ⇄ Customcrm ${link.crmType} ${link.crmId}  (${link.origin}, ${link.status})\n`,
        );
        if (history.length === 0) process.stdout.write('  no history yet\n');
        for (const h of history) {
          const change =
            h.property === null
              ? (h.note ?? '')
              : `${h.property}: ${JSON.stringify(h.oldValue)} → ${JSON.stringify(h.newValue)}`;
          process.stdout.write(
            `  ${h.at}  ${h.action.padEnd(8)} ${h.system.padEnd(9)} from ${h.source.padEnd(9)} ${change}\n`,
          );
        }
      }
      return 0;
    });
  });
}
