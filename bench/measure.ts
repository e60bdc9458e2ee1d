import type { Metrics } from '../src/engine/metrics.ts';

export interface Figure {
  case: string;
  store: string;
  users: number;
  wallSeconds: number;
  cpuSeconds: number;
  records: number;
  recordsPerSecond: number;
  apiCalls: { youtrack: number; customcrm: number };
  writes: number;
  /** Writes the case must make exactly (0 for a no-change cycle), when it has such a target. */
  expectedWrites?: number;
  peakRssMb: number;
  /** Tandem's wall time over the limit loop's, for the first sync. */
  ratioToLimit?: number;
  /** Tandem's wall and CPU time over the bare floor client's (bench/floor.ts), for the first sync. */
  wallRatioToFloor?: number;
  cpuRatioToFloor?: number;
  /** Measured on a smaller directory (`users`): the wall time scaled to the scenario's size. */
  extrapolatedWallSeconds?: number;
}

export function apiCalls(metrics: Metrics, system: string): number {
  let n = 0;
  for (const line of metrics.render().split('\n'))
    if (line.startsWith('tandem_api_calls_total{') && line.includes(`system="${system}"`))
      n += Number(line.split(' ').pop());
  return n;
}

export interface Sample {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Runs `fn` while sampling RSS every 50 ms; the process is the bench's own, the emulators are children. */
export async function sampled<T>(fn: () => Promise<T>): Promise<{ value: T; sample: Sample }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await fn();
    const cpu = process.cpuUsage(cpu0);
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      value,
      sample: {
        wallSeconds: round((performance.now() - t0) / 1000),
        cpuSeconds: round((cpu.user + cpu.system) / 1e6),
        peakRssMb: Math.round(peak / 2 ** 20),
      },
    };
  } finally {
    clearInterval(sampler);
  }
}

export const round = (n: number): number => Math.round(n * 100) / 100;

export function table(figures: readonly Figure[]): string {
  const rows = figures.map((f) =>
    [
      f.case,
      f.store,
      f.users,
      f.wallSeconds,
      f.cpuSeconds,
      f.records,
      f.recordsPerSecond,
      f.apiCalls.youtrack,
      f.apiCalls.customcrm,
      f.expectedWrites === undefined ? f.writes : `${f.writes} (expected ${f.expectedWrites})`,
      f.peakRssMb,
      f.ratioToLimit ?? '',
      f.wallRatioToFloor ?? '',
      f.cpuRatioToFloor ?? '',
      f.extrapolatedWallSeconds ?? '',
    ].join(' | '),
  );
  return [
    '| case | store | users | wall s | CPU s | records read | records/s | YouTrack calls | Customcrm calls | writes | peak RSS MB | ratio to limit | wall / floor | CPU / floor | wall s extrapolated to the full directory |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}
