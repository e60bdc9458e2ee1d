import { runCommand } from '../args.ts';
import { configOptions, withContext } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { runCycle, type CycleReport } from '../../engine/cycle.ts';
import { ProgressBar } from '../progress.ts';
import { summarize } from '../summary.ts';
import { processFailpoint } from '../failpoint.ts';
import type { StateStore } from '../../store/types.ts';

const options = {
  ...configOptions,
  json: { type: 'boolean', help: 'print one JSON object with the counts per flow and system' },
  force: { type: 'boolean', help: 'go past the circuit breaker (after checking the plan)' },
  incremental: { type: 'boolean', help: 'read only what changed since the last cycle' },
} as const;

export function run(argv: string[]): Promise<number> {
  return runCommand(argv, 'tandem sync [--config FILE] [--json] [--force]', options, async (opts) => {
    return withContext({ ...opts, exclusive: true }, async (ctx) => {
      const failpoint = processFailpoint();
      const reports: CycleReport[] = [];
      for (const rt of ctx.runtimes) {
        await rt.youtrack.verify();
        await rt.customcrm.verify();
        const bar = opts.json
          ? undefined
          : ProgressBar.forTerminal(`sync ${rt.name}`, await previousReads(ctx.store, rt.name));
        const report = await runCycle(
          rt,
          { store: ctx.store, logger: ctx.logger, metrics: ctx.metrics, ...(failpoint ? { failpoint } : {}) },
          {
            kind: opts.incremental ? 'incremental' : 'full',
            force: opts.force,
            ...(bar ? { onProgress: bar.tick } : {}),
          },
        );
        bar?.done();
        reports.push(report);
      }
      if (opts.json) printJson(cycleJson(reports));
      else for (const r of reports) process.stdout.write(summarize(r) + '\n');
      return exitCodeFor(reports);
    });
  });
}

/** Records read by the connection's last cycle: the expected total that gives the progress line its ETA. */
async function previousReads(store: StateStore, connection: string): Promise<number | undefined> {
  const last = (await store.lastCycles()).find((c) => c.connection === connection);
  if (!last) return undefined;
  let n = 0;
  for (const systems of Object.values(last.stats))
    for (const c of Object.values(systems ?? {})) n += c?.read ?? 0;
  return n || undefined;
}

export function exitCodeFor(reports: CycleReport[]): number {
  if (reports.some((r) => r.status === 'blocked')) return EXIT.BLOCKED;
  if (reports.some((r) => r.status !== 'ok')) return EXIT.PARTIAL;
  const errors = reports.some((r) =>
    Object.values(r.stats).some((f) => f.youtrack.errors + f.customcrm.errors > 0),
  );
  return errors ? EXIT.PARTIAL : EXIT.OK;
}

/** `--json`: counts per flow and system, summed over connections, plus each connection's own. */
export function cycleJson(reports: CycleReport[]) {
  const flows = structuredClone(reports[0]!.stats);
  for (const r of reports.slice(1))
    for (const [flow, systems] of Object.entries(r.stats) as Array<
      [keyof typeof flows, (typeof flows)['users']]
    >)
      for (const system of ['youtrack', 'customcrm'] as const)
        for (const [k, v] of Object.entries(systems[system]) as Array<
          [keyof (typeof systems)['youtrack'], number]
        >)
          flows[flow][system][k] += v;
  return {
    status: reports.every((r) => r.status === 'ok')
      ? 'ok'
      : (reports.find((r) => r.status !== 'ok')?.status ?? 'ok'),
    writes: reports.reduce((n, r) => n + r.writes, 0),
    flows,
    connections: reports.map((r) => ({
      name: r.connection,
      status: r.status,
      cycleId: r.cycleId,
      writes: r.writes,
      flows: r.stats,
      ...(r.message ? { message: r.message } : {}),
    })),
  };
}
