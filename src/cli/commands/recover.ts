import { intOption, runCommand, UsageError } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { printJson } from '../output.ts';
import { labelOf } from '../../engine/recovery.ts';
import type { JournalEntry, QuarantineEntry } from '../../store/types.ts';

const options = {
  ...configOptions,
  list: { type: 'boolean', help: 'list the interrupted writes and the records recovery quarantined' },
  drop: {
    type: 'string',
    help: 'give up interrupted write ID: closed as failed; the next sync plans its record again',
    arg: 'ID',
  },
  json: { type: 'boolean', help: 'print JSON' },
} as const;

const RECOVERY_CODES = new Set(['ALREADY_LINKED', 'AMBIGUOUS_RECOVERY']);

/**
 * `tandem recover`: the way out of a recovery that cannot finish by itself. A write interrupted by
 * a crash stays in the journal until the next cycle finds (or does not find) the record it
 * created; `--list` shows those writes and the records recovery quarantined, `--drop ID` closes
 * one write as failed, so the next cycle plans its record afresh.
 */
export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem recover (--list | --drop ID) [--config FILE] [--connection NAME] [--json]',
    options,
    async (opts) => {
      if (!opts.list && opts.drop === undefined) throw new UsageError('Give --list or --drop ID.');
      const what = 'the number of a write from `tandem recover --list`';
      const dropId = intOption('drop', opts.drop, { min: 1, what });
      return withContext(opts, async (ctx) => {
        const found: Array<{ connection: string; pending: JournalEntry[]; quarantined: QuarantineEntry[] }> =
          [];
        for (const rt of ctx.runtimes) {
          const store = ctx.store.forConnection(rt.name);
          const pending = await store.pendingWrites();
          const quarantined = (await store.listQuarantine({ status: 'quarantined' })).filter((q) =>
            RECOVERY_CODES.has(q.code),
          );
          found.push({ connection: rt.name, pending, quarantined });
        }
        if (dropId !== undefined) {
          const owner = found.find((f) => f.pending.some((e) => e.id === dropId));
          if (!owner) {
            process.stderr.write(
              `No interrupted write ${dropId}${opts.connection ? ` in connection ${opts.connection}` : ''}; \`tandem recover --list\` shows them.\n`,
            );
            return 1;
          }
          await ctx.store.forConnection(owner.connection).completeWrite(dropId, {
            status: 'failed',
            error: 'dropped with tandem recover --drop',
          });
          if (opts.json) printJson({ dropped: dropId, connection: owner.connection });
          else
            process.stdout.write(
              `Write ${dropId} of connection ${owner.connection} dropped. The next sync plans its record again; if the record was created before the crash, check the CRM for a duplicate.\n`,
            );
          return 0;
        }
        if (opts.json) {
          printJson(found);
          return 0;
        }
        for (const f of found) {
          process.stdout.write(`${f.connection}: ${f.pending.length} interrupted write(s)\n`);
          for (const e of f.pending)
            process.stdout.write(
              `  ${String(e.id).padStart(6)}  create ${e.targetSystem} ${e.targetType} for ${e.sourceSystem} ${e.sourceId}  ${labelOf(e.payload)}  (since ${e.createdAt})\n`,
            );
          if (f.quarantined.length > 0)
            process.stdout.write(
              `${f.connection}: ${f.quarantined.length} record(s) quarantined by recovery\n`,
            );
          for (const q of f.quarantined)
            process.stdout.write(`  ${q.system} ${q.recordType} ${q.recordId}  ${q.code}: ${q.reason}\n`);
        }
        return 0;
      });
    },
  );
}
