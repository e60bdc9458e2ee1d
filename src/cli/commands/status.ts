import { runCommand } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { printJson } from '../output.ts';
import { collectStatus } from '../../engine/status.ts';

const options = { ...configOptions, json: { type: 'boolean', help: 'print JSON' } } as const;

export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem status [--config FILE] [--json]', options, async (opts) => {
    return withContext(opts, async (ctx) => {
      const status = await collectStatus(ctx.store);
      if (opts.json) {
        printJson(status);
        return 0;
      }
      const out = process.stdout;
      out.write('Links per flow:\n');
      for (const [flow, byStatus] of Object.entries(status.links))
        out.write(
          `  ${flow.padEnd(14)} ${
            Object.entries(byStatus)
              .map(([s, n]) => `${n} ${s}`)
              .join(', ') || 'none'
          }\n`,
        );
      out.write(
        `Conflicts: ${status.conflicts.open} open, ${status.conflicts.pending} resolutions waiting for the next cycle\n`,
      );
      out.write(
        `Quarantined records: ${status.quarantine.quarantined} (${status.quarantine.retryRequested} to retry)\n`,
      );
      const c = status.lastCycle;
      out.write(
        c
          ? `Last cycle: #${c.id} ${c.kind} ${c.status} at ${c.finishedAt ?? c.startedAt}, ${c.writes} writes${c.message ? ` (${c.message})` : ''}\n`
          : 'Last cycle: none yet\n',
      );
      return 0;
    });
  });
}
