import { runCommand, UsageError } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { describeAction as describe } from '../../core/describe-action.ts';
import { undoCycle } from '../../engine/undo.ts';

const options = {
  ...configOptions,
  'dry-run': { type: 'boolean', help: 'show what the undo would write; write nothing' },
  json: { type: 'boolean', help: 'print JSON: the undo plan and, without --dry-run, what it wrote' },
} as const;

/**
 * `tandem undo CYCLE`: reverts one cycle's writes on both sides from the history, as a planned
 * cycle; a field changed since becomes a conflict in review (docs/how-sync-decides.md).
 */
export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    'tandem undo CYCLE [--config FILE] [--connection NAME] [--dry-run] [--json]',
    options,
    async (opts) => {
      const raw = opts._[0] ?? '';
      const cycle = Number.parseInt(raw, 10);
      if (!(cycle > 0) || String(cycle) !== raw.trim())
        throw new UsageError('Name the cycle to undo by its number (tandem status shows the last one).');
      return withContext(opts, async (ctx) => {
        if (ctx.runtimes.length > 1)
          throw new UsageError('Several connections: name one with --connection NAME.');
        const rt = ctx.runtimes[0]!;
        const report = await undoCycle(rt, { store: ctx.store, logger: ctx.logger }, cycle, {
          dryRun: opts['dry-run'] ?? false,
        });
        if (opts.json) printJson({ connection: rt.name, ...report });
        else {
          const actions = report.plans.flatMap((p) => p.actions);
          process.stdout.write(
            `${rt.name}: undo of cycle ${cycle}${opts['dry-run'] ? ' (dry run, nothing written)' : `, written as cycle ${report.cycleId}: ${report.writes} writes`}\n`,
          );
          if (actions.length === 0) process.stdout.write('  nothing to undo\n');
          for (const p of report.plans)
            for (const a of p.actions) process.stdout.write(`  ${p.flow}: ${describe(a)}\n`);
        }
        return EXIT.OK;
      });
    },
  );
}
