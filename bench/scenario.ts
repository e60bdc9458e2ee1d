import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/load.ts';
import { runCycle, type CycleReport } from '../src/engine/cycle.ts';
import { Metrics } from '../src/engine/metrics.ts';
import type { ConnectionRuntime } from '../src/engine/runtime.ts';
import { buildApp } from '../src/app/app.ts';
import { silentLogger } from '../src/log/logger.ts';
import { openStore, type StateStore } from '../src/store/index.ts';
import { TestDatabase } from '../test/support/store/test-database.ts';
import { editShare } from './edits.ts';
import { CRM_TOKEN, YT_TOKEN, startCustomcrm, startYouTrack, type Directory } from './emulators.ts';
import { runFloor } from './floor.ts';
import { runLimit } from './limit.ts';
import { apiCalls, round, sampled, type Figure } from './measure.ts';

export type StoreKind = 'sqlite' | 'postgres';
export type CaseName = 'first' | 'nochange' | 'edits' | 'limit' | 'floor' | 'latency';

export interface ScenarioOptions {
  directory: Directory;
  store: StoreKind;
  cases: ReadonlySet<CaseName>;
  /** Admin URL of PostgreSQL; a throw-away database is made in it. */
  postgresUrl: string;
  editShare: number;
  /** Milliseconds added to every answer of both emulators in the latency case. */
  latencyMs?: number;
}

const unlimited = { ratePerSecond: 100_000, burst: 1000 };
/**
 * Above this many users the latency case's single writes (Tandem's and the floor's) run on a
 * directory of this size and are extrapolated: at 100,000 users each would take about
 * 100,000 x 50 ms / 8 in flight = 11 minutes, twice, for a figure that is linear in the records.
 */
const LATENCY_SAMPLE = 10_000;
/** Items per batch request of the floor client: as many as Tandem's executor puts in one. */
const FLOOR_BATCH = 32;

function runtime(
  name: string,
  yt: string,
  crm: string,
  metrics: Metrics,
  store: string,
  stateStore: StateStore,
  batch = true,
): ConnectionRuntime {
  const config = parseConfig({
    store,
    connections: [
      {
        name,
        youtrack: { url: yt, token: YT_TOKEN, rateLimit: unlimited },
        customcrm: {
          url: `${crm}/v1`,
          token: CRM_TOKEN,
          rateLimit: unlimited,
          ...(batch ? {} : { profile: { batch: false } }),
        },
        sync: { circuitBreaker: { maxDeleteShare: 1, maxChangeShare: 1, minRecords: 0 } },
      },
    ],
  });
  return buildApp(config, { logger: silentLogger, metrics, store: stateStore }).runtimes[0]!;
}

/** One directory size on one store: the cases of issue 7, each measured on its own. */
export async function runScenario(o: ScenarioOptions): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const stops: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  const figures: Figure[] = [];
  try {
    let storeUrl = `sqlite:${join(dir, 'tandem.db')}`;
    if (o.store === 'postgres') {
      const db = new TestDatabase(o.postgresUrl);
      await db.create();
      stops.push(() => db.drop());
      storeUrl = db.url;
    }
    const yt = await startYouTrack(o.directory);
    stops.push(yt.stop);
    const crm = await startCustomcrm(join(dir, 'crm.db'));
    stops.push(crm.stop);
    const store = await openStore(storeUrl);
    stops.push(() => store.close());
    const base = { store: o.store, users: o.directory.users };

    const cycle = async (name: string, kind: 'full' | 'incremental', expectedWrites?: number) => {
      (globalThis as { gc?: () => void }).gc?.();
      const metrics = new Metrics();
      const rt = runtime('bench', yt.url, crm.url, metrics, storeUrl, store);
      const { value: report, sample } = await sampled(() =>
        runCycle(rt, { store, logger: silentLogger, metrics }, { kind }),
      );
      figures.push(figureOf(name, base, report, sample, metrics, expectedWrites));
      process.stderr.write(`${name}: ${JSON.stringify(figures.at(-1))}\n`);
      if (report.status !== 'ok') throw new Error(`${name}: cycle ${report.status}: ${report.message ?? ''}`);
    };

    await cycle('first sync', 'full');
    if (o.cases.has('nochange')) {
      await cycle('no-change cycle (full read)', 'full', 0);
      await cycle('no-change cycle (events feed)', 'incremental', 0);
    }
    if (o.cases.has('edits')) {
      const rt = runtime('bench', yt.url, crm.url, new Metrics(), storeUrl, store);
      const edits = await editShare(rt, store, o.editShare);
      await cycle(
        `${o.editShare * 100} % edited each side (events feed)`,
        'incremental',
        edits.youtrack + edits.customcrm,
      );
    }
    const first = figures[0]!;
    if (o.cases.has('limit')) {
      const fig = await againstEmptyCrm(
        'limit (reads + creates only)',
        dir,
        base,
        stops,
        first,
        [],
        async (crm) => {
          const metrics = new Metrics();
          const rt = runtime('limit', yt.url, crm, metrics, 'sqlite:unused.db', store);
          const { created } = await runLimit(rt.youtrack, rt.customcrm);
          return {
            created,
            calls: { youtrack: apiCalls(metrics, 'youtrack'), customcrm: apiCalls(metrics, 'customcrm') },
          };
        },
      );
      first.ratioToLimit = round(first.wallSeconds / fig.wallSeconds);
      figures.push(fig);
    }
    // A first sync on a fresh store into a fresh, empty Customcrm, so that it can be set beside
    // the floor's: one with batch writes, one with single writes.
    const fresh = async (label: string): Promise<string> => {
      if (o.store === 'sqlite') return `sqlite:${join(dir, `tandem-${label}.db`)}`;
      const db = new TestDatabase(o.postgresUrl);
      await db.create();
      stops.push(() => db.drop());
      return db.url;
    };
    const isolatedFirst = async (name: string, ytUrl: string, faults: string[], batch: boolean) => {
      const label = name.replace(/\W+/g, '-');
      const empty = await startCustomcrm(join(dir, `crm-${label}.db`), faults);
      stops.push(empty.stop);
      const url = await fresh(label);
      const st = await openStore(url);
      try {
        (globalThis as { gc?: () => void }).gc?.();
        const metrics = new Metrics();
        const rt = runtime('bench', ytUrl, empty.url, metrics, url, st, batch);
        const { value: report, sample } = await sampled(() =>
          runCycle(rt, { store: st, logger: silentLogger, metrics }, { kind: 'full' }),
        );
        const fig = figureOf(name, base, report, sample, metrics, undefined);
        process.stderr.write(`${name}: ${JSON.stringify(fig)}\n`);
        if (report.status !== 'ok')
          throw new Error(`${name}: cycle ${report.status}: ${report.message ?? ''}`);
        return fig;
      } finally {
        empty.stop();
        await st.close();
      }
    };
    const floor = (name: string, ytUrl: string, faults: string[], batchSize?: number) =>
      againstEmptyCrm(name, dir, base, stops, first, faults, (crm) =>
        runFloor({
          youtrack: { url: ytUrl, token: YT_TOKEN },
          customcrm: { url: `${crm}/v1`, token: CRM_TOKEN },
          ...(batchSize ? { batchSize } : {}),
        }),
      );
    const versus = (tandem: Figure, bare: Figure) => {
      tandem.wallRatioToFloor = round(tandem.wallSeconds / bare.wallSeconds);
      tandem.cpuRatioToFloor = round(tandem.cpuSeconds / bare.cpuSeconds);
    };
    /**
     * Tandem with batch and with single writes, each beside the floor doing the same. `sample`:
     * the single writes run against this smaller directory instead (see LATENCY_SAMPLE).
     */
    const comparison = async (
      suffix: string,
      ytUrl: string,
      faults: string[],
      batchFirst?: Figure,
      sample?: { url: string; users: number },
    ) => {
      const batched =
        batchFirst ?? (await isolatedFirst(`first sync${suffix}, batch writes`, ytUrl, faults, true));
      const note = sample ? ` (${sample.users.toLocaleString('en')}-user sample)` : '';
      const singleUrl = sample?.url ?? ytUrl;
      const single = await isolatedFirst(
        `first sync${suffix}, single writes${note}`,
        singleUrl,
        faults,
        false,
      );
      const floorSingle = await floor(`floor${suffix}, single writes${note}`, singleUrl, faults);
      const floorBatch = await floor(`floor${suffix}, batch writes`, ytUrl, faults, FLOOR_BATCH);
      versus(batched, floorBatch);
      versus(single, floorSingle);
      if (sample) {
        // Measured on the sample; the full directory's time is this times the ratio of users
        // (a first sync's time is linear in the records: issue 7's scaling series).
        for (const f of [single, floorSingle]) {
          f.users = sample.users;
          f.records = single.records;
          f.recordsPerSecond = Math.round(single.records / f.wallSeconds);
          f.extrapolatedWallSeconds = round((f.wallSeconds * o.directory.users) / sample.users);
        }
      }
      figures.push(...(batchFirst ? [] : [batched]), single, floorSingle, floorBatch);
    };
    if (o.cases.has('floor')) await comparison('', yt.url, [], first);
    if (o.cases.has('latency')) {
      const ms = o.latencyMs ?? 50;
      const faults = ['--faults', `latency=${ms}-${ms}`];
      const slowYt = await startYouTrack(o.directory, faults);
      stops.push(slowYt.stop);
      let sample: { url: string; users: number } | undefined;
      if (o.directory.users > LATENCY_SAMPLE) {
        const d = { users: LATENCY_SAMPLE, groups: LATENCY_SAMPLE / 20, organizations: LATENCY_SAMPLE / 100 };
        const small = await startYouTrack(d, faults);
        stops.push(small.stop);
        sample = { url: small.url, users: LATENCY_SAMPLE };
      }
      await comparison(` (${ms} ms latency)`, slowYt.url, faults, undefined, sample);
    }
    return figures;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/**
 * Runs a comparison loop against a second, empty Customcrm (same program, same settings: the
 * first one holds Tandem's creates now) and returns its figure.
 */
async function againstEmptyCrm(
  name: string,
  dir: string,
  base: { store: StoreKind; users: number },
  stops: Array<() => unknown>,
  first: Figure,
  faults: string[],
  run: (crmUrl: string) => Promise<{ created: number; calls: Figure['apiCalls'] }>,
): Promise<Figure> {
  const crm = await startCustomcrm(join(dir, `crm-${name.replace(/\W+/g, '-')}.db`), faults);
  stops.push(crm.stop);
  (globalThis as { gc?: () => void }).gc?.();
  const { value, sample } = await sampled(() => run(crm.url));
  const fig: Figure = {
    case: name,
    ...base,
    ...sample,
    records: first.records,
    recordsPerSecond: Math.round(first.records / sample.wallSeconds),
    apiCalls: value.calls,
    writes: value.created,
  };
  process.stderr.write(`${name}: ${JSON.stringify(fig)}\n`);
  return fig;
}

function figureOf(
  name: string,
  base: { store: StoreKind; users: number },
  report: CycleReport,
  sample: { wallSeconds: number; cpuSeconds: number; peakRssMb: number },
  metrics: Metrics,
  expectedWrites: number | undefined,
): Figure {
  const records = Object.values(report.stats).reduce((n, f) => n + f.youtrack.read + f.customcrm.read, 0);
  return {
    case: name,
    ...base,
    ...sample,
    records,
    recordsPerSecond: Math.round(records / sample.wallSeconds),
    apiCalls: { youtrack: apiCalls(metrics, 'youtrack'), customcrm: apiCalls(metrics, 'customcrm') },
    writes: report.writes,
    ...(expectedWrites !== undefined ? { expectedWrites } : {}),
  };
}
