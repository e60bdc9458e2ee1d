import { runCommand } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { printJson } from '../output.ts';
import { statusDetail, statusExitCode, statusSummary } from '../status-report.ts';
import { collectAllStatus } from '../../engine/status.ts';
import { listQueue } from '../../engine/review-queue.ts';
import { describe } from './review.ts';

/** Items of the review queue printed under one connection's status; the rest are counted. */
const LISTED = 50;

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
        else if (all.length === 1) {
          process.stdout.write(statusDetail(all[0]!));
          // Each open conflict, quarantined record and review item with its records, reason and values.
          const queue = await listQueue(ctx.store.forConnection(all[0]!.connection));
          process.stdout.write(
            queue.length === 0
              ? 'Nothing waits for review.\n'
              : `\nWaiting for review (${queue.length}; decide with tandem review ID ACTION):\n\n` +
                  queue
                    .slice(0, LISTED)
                    .map((e) => describe('', e))
                    .join('') +
                  (queue.length > LISTED ? `… ${queue.length - LISTED} more: tandem review\n` : ''),
          );
        } else process.stdout.write(statusSummary(all));
        return statusExitCode(all);
      });
    },
  );
}
