import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDashboard } from './dashboard.ts';
import { benchFreshness } from './freshness.ts';
import type { Directory } from './emulators.ts';
import { table, type Figure } from './measure.ts';
import { runScenario, type CaseName, type StoreKind } from './scenario.ts';

const ROOT = join(import.meta.dirname, '..');
const ALL_CASES: readonly CaseName[] = ['first', 'nochange', 'edits', 'limit', 'floor', 'latency'];

const HELP = `npm run bench -- [options]

  (no options)        10,000 users / 1,000 groups / 200 organizations on SQLite: first sync, no-change
                      cycles, 1 % edited on each side, the limit loop, the bare floor client (single
                      and batch writes) beside Tandem with single and batch writes, and the same
                      with 50 ms added to every answer of both emulators (ten minutes or more)
  --full              issue 7: 100,000 / 5,000 / 1,000 on SQLite and PostgreSQL with every case, then
                      the scaling series 10,000 / 30,000 / 100,000 (first sync and limit, SQLite);
                      above 10,000 users the latency case's single writes run on a 10,000-user
                      sample and are extrapolated (about an hour per store on the 2-core machine)
  --users N --groups N --orgs N   directory size of a single run
  --store sqlite|postgres|both    store of a single run (default sqlite)
  --scaling           only the scaling series
  --postgres URL      admin URL for the throw-away database (env TANDEM_TEST_POSTGRES,
                      default postgres://tandem:tandem@127.0.0.1:5432/postgres)
  --out DIR           where the JSON and markdown go (default bench/results)
  --cases LIST        only these cases, of first,nochange,edits,limit,floor,latency (all need first)
  --freshness         only the freshness measurement under \`tandem run\` (defaults, 1,000 users)
  --latency MS        latency added to every emulator answer in the latency case (default 50)
  --node-flags="..."  V8/Node flags for the measured process, e.g. --node-flags="--max-old-space-size=160"

Every scenario runs in its own child process (with --expose-gc), so one scenario's heap does not
inflate the next one's peak RSS; the emulators are child processes of that child.`;

interface Job {
  directory: Directory;
  store: StoreKind;
  cases: CaseName[];
}

const sized = (users: number): Directory => ({ users, groups: users / 20, organizations: users / 100 });

function plan(v: Record<string, string | boolean | undefined>): { label: string; jobs: Job[] } {
  const stores = (s: string): StoreKind[] => (s === 'both' ? ['sqlite', 'postgres'] : [s as StoreKind]);
  const scaling: Job[] = [10_000, 30_000, 100_000].map((n) => ({
    directory: sized(n),
    store: 'sqlite',
    cases: ['first', 'limit', 'floor'],
  }));
  if (v['full'])
    return {
      label: 'full',
      // 100,000 on SQLite first (it is also the last point of the scaling series), PostgreSQL last.
      jobs: [
        { directory: sized(100_000), store: 'sqlite', cases: [...ALL_CASES] },
        ...scaling.slice(0, 2),
        { directory: sized(100_000), store: 'postgres', cases: [...ALL_CASES] },
      ],
    };
  if (v['scaling']) return { label: 'scaling', jobs: scaling };
  const directory = {
    users: Number(v['users']),
    groups: Number(v['groups']),
    organizations: Number(v['orgs']),
  };
  return {
    label: `${directory.users}-${String(v['store'])}`,
    jobs: stores(String(v['store'])).map((store) => ({ directory, store, cases: [...ALL_CASES] })),
  };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' },
      groups: { type: 'string', default: '1000' },
      orgs: { type: 'string', default: '200' },
      store: { type: 'string', default: 'sqlite' },
      full: { type: 'boolean' },
      scaling: { type: 'boolean' },
      postgres: {
        type: 'string',
        default: process.env['TANDEM_TEST_POSTGRES'] ?? 'postgres://tandem:tandem@127.0.0.1:5432/postgres',
      },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
      cases: { type: 'string' },
      'node-flags': { type: 'string', default: '' },
      latency: { type: 'string', default: '50' },
      freshness: { type: 'boolean' },
      child: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (values.child) return child(values.child, values.postgres, Number(values.latency));
  if (values.freshness) {
    for (const f of await benchFreshness(values.out)) process.stdout.write(`${JSON.stringify(f)}\n`);
    return 0;
  }
  if (!['sqlite', 'postgres', 'both'].includes(values.store)) {
    process.stderr.write(`--store must be sqlite, postgres or both, not '${values.store}'\n`);
    return 2;
  }
  const { label, jobs } = plan(values);
  if (values.cases) {
    const only = values.cases.split(',');
    const unknown = only.filter((c) => !(ALL_CASES as readonly string[]).includes(c));
    if (unknown.length > 0) {
      process.stderr.write(`--cases takes ${ALL_CASES.join(',')}; unknown: ${unknown.join(',')}\n`);
      return 2;
    }
    for (const job of jobs) job.cases = job.cases.filter((c) => only.includes(c));
  }
  const nodeFlags = values['node-flags'].split(' ').filter(Boolean);
  const figures: Figure[] = [];
  // Written after every scenario, so a long run that is stopped still leaves what it measured.
  for (const job of jobs) {
    figures.push(...(await inChild(job, values.postgres, nodeFlags, values.latency)));
    write(values.out, label, argv, figures);
  }
  process.stdout.write(`${table(figures)}\nwritten to ${join(values.out, `bench-${label}.json`)}\n`);
  if (!values.scaling) {
    const pages = await benchDashboard(values.out);
    process.stdout.write(
      `dashboard with 10,000 links: ${pages.map((p) => `${p.page} ${p.medianMs} ms`).join(', ')}\n`,
    );
    for (const f of await benchFreshness(values.out))
      process.stdout.write(
        `freshness under tandem run, ${f.direction}: p50 ${f.p50Seconds} s, max ${f.maxSeconds} s (${f.samples} edits, ${f.missed} not seen in 30 s)\n`,
      );
  }
  const wrong = figures.filter((f) => f.expectedWrites !== undefined && f.writes !== f.expectedWrites);
  for (const f of wrong)
    process.stderr.write(
      `${f.case} (${f.store}, ${f.users}): ${f.writes} writes, expected ${f.expectedWrites}\n`,
    );
  return wrong.length === 0 ? 0 : 1;
}

function write(out: string, label: string, argv: string[], figures: Figure[]): void {
  const result = {
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    command: `npm run bench -- ${argv.join(' ')}`.trim(),
    figures,
  };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `bench-${label}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(out, `bench-${label}.md`), table(figures) + '\n');
}

async function inChild(job: Job, postgres: string, nodeFlags: string[], latency: string): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-job-'));
  const spec = join(dir, 'job.json');
  writeFileSync(spec, JSON.stringify(job));
  try {
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(
        process.execPath,
        [
          '--expose-gc',
          ...nodeFlags,
          join(ROOT, 'bin', 'bench.js'),
          '--child',
          spec,
          '--postgres',
          postgres,
          '--latency',
          latency,
        ],
        { stdio: 'inherit' },
      );
      p.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`bench scenario ${JSON.stringify(job)} failed with exit code ${code}`);
    return JSON.parse(readFileSync(`${spec}.out`, 'utf8')) as Figure[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function child(spec: string, postgresUrl: string, latencyMs: number): Promise<number> {
  const job = JSON.parse(readFileSync(spec, 'utf8')) as Job;
  const figures = await runScenario({
    ...job,
    cases: new Set(job.cases),
    postgresUrl,
    editShare: 0.01,
    latencyMs,
  });
  writeFileSync(`${spec}.out`, JSON.stringify(figures));
  return 0;
}
