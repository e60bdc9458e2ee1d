import { intOption, runCommand, UsageError } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { printJson } from '../output.ts';
import { recordHistoryAll } from '../../engine/history.ts';

const options = {
  ...configOptions,
  json: { type: 'boolean', help: 'print JSON: an array of {connection, link, history}' },
  limit: { type: 'string', help: 'entries to show', default: '100', arg: 'N' },
} as const;

/**
 * `tandem history RECORD`: the per-field history of a record, found by name, e-mail or id on either
 * side, in every connection (or the one named); with several, each record names its connection.
 */
export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem history RECORD [--config FILE] [--connection NAME] [--json]',
    options,
    async (opts) => {
      const query = opts._[0];
      if (!query) throw new UsageError('Name the record: a name, an e-mail or an id from either system.');
      return withContext(opts, async (ctx) => {
        const names = ctx.runtimes.map((rt) => rt.name);
        const found = await recordHistoryAll(
          ctx.store,
          names,
          query,
          intOption('limit', opts.limit, { min: 1 })!,
        );
        if (opts.json) {
          printJson(found);
          return found.length ? 0 : 1;
        }
        if (found.length === 0) {
          const where = names.length === 1 ? '' : ` in any of the ${names.length} connections`;
          process.stdout.write(`No linked record matches "${query}"${where}.\n`);
          return 1;
        }
        for (const { connection, link, history } of found) {
          const prefix = names.length > 1 ? `${connection}: ` : '';
          process.stdout.write(
            `${prefix}${link.label}  [${link.flow}] YouTrack ${link.ytType} ${link.ytId} ⇄ Customcrm ${link.crmType} ${link.crmId}  (${link.origin}, ${link.status})\n`,
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
    },
  );
}
