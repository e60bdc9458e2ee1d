import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config/load.ts';
import { runCycle, type CycleReport } from '../src/engine/cycle.ts';
import { Metrics } from '../src/engine/metrics.ts';
import { createConnectionRuntime } from '../src/engine/runtime.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStore } from '../src/store/index.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'tandem.js');

/** Starts an emulator in its own process, so Tandem's memory figures are Tandem's alone. */
async function emulator(args: string[]): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [BIN, 'emulate', ...args, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`emulator ${args[0]} exited with ${code}: ${out}`)));
  });
  return { url, proc };
}

function calls(metrics: Metrics, system: string): number {
  const text = metrics.render();
  let n = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('tandem_api_calls_total{') && line.includes(`system="${system}"`)) n += Number(line.split(' ').pop());
  return n;
}

interface Figure {
  case: string;
  wallSeconds: number;
  cpuSeconds: number;
  records: number;
  recordsPerSecond: number;
  apiCalls: { youtrack: number; customcrm: number };
  writes: number;
  peakRssMb: number;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' },
      groups: { type: 'string', default: '1000' },
      orgs: { type: 'string', default: '200' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const yt = await emulator(['youtrack', '--users', values.users!, '--groups', values.groups!, '--orgs', values.orgs!, '--token', 'perm:bench']);
  const crm = await emulator(['customcrm', '--seed', 'empty', '--db', join(dir, 'crm.db'), '--token', 'crm-bench']);
  const figures: Figure[] = [];
  try {
    const config = parseConfig({
      store: `sqlite:${join(dir, 'tandem.db')}`,
      connections: [
        {
          name: 'bench',
          youtrack: { url: yt.url, token: 'perm:bench', rateLimit: { ratePerSecond: 100_000, burst: 1000 } },
          customcrm: { url: `${crm.url}/v1`, token: 'crm-bench', rateLimit: { ratePerSecond: 100_000, burst: 1000 } },
          sync: { circuitBreaker: { maxDeleteShare: 1, maxChangeShare: 1, minRecords: 0 } },
        },
      ],
    });
    const store = await openStore(config.store);
    const measure = async (name: string, kind: 'full' | 'incremental'): Promise<CycleReport> => {
      const metrics = new Metrics();
      const rt = createConnectionRuntime(config.connections[0]!, { logger: silentLogger, metrics });
      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const report = await runCycle(rt, { store, logger: silentLogger, metrics }, { kind });
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const records = Object.values(report.stats).reduce((n, f) => n + f.youtrack.read + f.customcrm.read, 0);
      figures.push({
        case: name,
        wallSeconds: round(wall),
        cpuSeconds: round((cpu.user + cpu.system) / 1e6),
        records,
        recordsPerSecond: Math.round(records / wall),
        apiCalls: { youtrack: calls(metrics, 'youtrack'), customcrm: calls(metrics, 'customcrm') },
        writes: report.writes,
        peakRssMb: Math.round(peak / 1024 / 1024),
      });
      process.stderr.write(`${name}: ${JSON.stringify(figures.at(-1))}\n`);
      if (report.status !== 'ok') throw new Error(`${name}: cycle ${report.status}: ${report.message ?? ''}`);
      return report;
    };
    await measure('first sync', 'full');
    await measure('no-change cycle (full read)', 'full');
    const inc = await measure('no-change cycle (events feed)', 'incremental');
    await store.close();
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
      directory: { users: Number(values.users), groups: Number(values.groups), organizations: Number(values.orgs) },
      figures,
      noChangeWrites: inc.writes,
    };
    mkdirSync(values.out!, { recursive: true });
    const file = join(values.out!, `bench-${values.users}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(`${table(result.figures)}\nwritten to ${file}\n`);
    return figures.every((f) => !f.case.startsWith('no-change') || f.writes === 0) ? 0 : 1;
  } finally {
    yt.proc.kill('SIGTERM');
    crm.proc.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

export function table(figures: Figure[]): string {
  const rows = figures.map(
    (f) =>
      `| ${f.case} | ${f.wallSeconds} | ${f.cpuSeconds} | ${f.records} | ${f.recordsPerSecond} | ${f.apiCalls.youtrack} | ${f.apiCalls.customcrm} | ${f.writes} | ${f.peakRssMb} |`,
  );
  return [
    '| case | wall s | CPU s | records read | records/s | YouTrack calls | Customcrm calls | writes | peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
