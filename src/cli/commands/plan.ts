import { runCommand } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { runCycle } from '../../engine/cycle.ts';
import { describeAction as describe } from '../../core/describe-action.ts';
import type { PlanAction } from '../../core/planner.ts';

const options = {
  ...configOptions,
  json: { type: 'boolean', help: 'print the plan as JSON (every action)' },
} as const;

/** What a cycle would do, with no write to either system or to the store. */
export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem plan [--config FILE] [--json]', options, async (opts) => {
    return withContext(opts, async (ctx) => {
      const out = [];
      for (const rt of ctx.runtimes) {
        const report = await runCycle(
          rt,
          { store: ctx.store, logger: ctx.logger },
          { kind: 'full', dryRun: true },
        );
        out.push({ connection: rt.name, breaker: report.message ?? null, plans: report.plans ?? [] });
      }
      if (opts.json) printJson({ connections: out });
      else
        for (const c of out) {
          process.stdout.write(`${c.connection}: plan (nothing written)\n`);
          if (c.breaker) process.stdout.write(`  circuit breaker: ${c.breaker}\n`);
          for (const p of c.plans) {
            process.stdout.write(`  ${p.flow}: ${describeCounts(p.actions)}\n`);
            for (const a of p.actions.slice(0, 50)) process.stdout.write(`    ${describe(a)}\n`);
            if (p.actions.length > 50)
              process.stdout.write(`    … ${p.actions.length - 50} more (use --json)\n`);
          }
        }
      return out.some((c) => c.breaker) ? EXIT.BLOCKED : EXIT.OK;
    });
  });
}

function describeCounts(actions: PlanAction[]): string {
  const n = new Map<string, number>();
  for (const a of actions) if (a.kind !== 'setBase') n.set(a.kind, (n.get(a.kind) ?? 0) + 1);
  return n.size ? [...n].map(([k, v]) => `${v} ${k}`).join(', ') : 'nothing to do';
}
