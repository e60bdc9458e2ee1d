import { runCommand } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { printJson } from '../output.ts';
import { statusDetail, statusExitCode, statusSummary } from '../status-report.ts';
import { collectAllStatus } from '../../engine/status.ts';

const options = {
  ...configOptions,
  json: {
    type: 'boolean',
    help: 'print JSON: an array with one object per connection, one object with --connection',
  },
} as const;

/**
 * `tandem status`: one line per connection, or the detail of one. Exits 1 when a connection's last
 * cycle failed and 5 when the circuit breaker stopped it, so a monitor can run it as it is.
 */
export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem status [--config FILE] [--connection NAME] [--json]',
    options,
    async (opts) => {
      return withContext(opts, async (ctx) => {
        const all = await collectAllStatus(
          ctx.store,
          ctx.runtimes.map((rt) => rt.name),
        );
        // The JSON shape follows the flags, not the file: adding a connection must not break a script.
        if (opts.json) printJson(opts.connection ? all[0] : all);
        else process.stdout.write(all.length === 1 ? statusDetail(all[0]!) : statusSummary(all));
        return statusExitCode(all);
      });
    },
  );
}
