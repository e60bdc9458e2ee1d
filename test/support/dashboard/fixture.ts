import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMapping } from '../../../src/core/mapping.ts';
import { Metrics } from '../../../src/engine/metrics.ts';
import { JsonLogger, MemorySink } from '../../../src/log/logger.ts';
import { openStore } from '../../../src/store/index.ts';
import { ManualClock } from '../../../src/util/clock.ts';
import type { Link, NewConflict, NewHistoryEntry, NewLink, StateStore } from '../../../src/store/types.ts';
import { startHttpServer, type RunningServer } from '../../../src/server/http.ts';
import { dashboardRoutes } from '../../../src/server/dashboard/index.ts';

/** Shared by the fetch and the browser tests: a real SQLite store and a real HTTP edge. */
export interface DashboardFixture {
  store: StateStore;
  server: RunningServer;
  token: string;
  metrics: Metrics;
  /** The store's clock, 90 minutes before the dashboard's NOW. */
  clock: ManualClock;
  /** Errors the server logged (a failed page). */
  log: MemorySink;
  /** Connections the dashboard asked to run a cycle now. */
  triggered: string[];
  seeded: { ada: Link; evil: Link; conflictId: number; quarantineId: number };
  /** The second connection, when asked for: its own Ada (same YouTrack id), a conflict and a tripped breaker. */
  beta?: { ada: Link; conflictId: number };
  close(): Promise<void>;
}

export const NOW = Date.parse('2024-06-01T12:00:00Z');

const userLink = (i: number, label: string, email: string): NewLink => ({
  flow: 'users',
  ytType: 'User',
  ytId: `yt-user-${i}`,
  crmType: 'Contact',
  crmId: `C-${1000 + i}`,
  origin: i % 2 === 0 ? 'merged' : 'created-in-customcrm',
  status: 'active',
  base: { fullName: label, email, login: `login${i}`, banned: false, company: null },
  ytHash: null,
  crmHash: null,
  crmVersion: null,
  label: `${label} <${email}>`,
});

/** A history row: the user's e-mail changed in YouTrack and was written to the CRM. */
export function emailChange(link: Link, cycleId: number, at: string, from: string): NewHistoryEntry {
  return {
    at,
    cycleId,
    linkId: link.id,
    flow: 'users',
    system: 'customcrm',
    recordId: link.crmId,
    property: 'email',
    oldValue: from,
    newValue: 'ada@example.com',
    source: 'youtrack',
    action: 'updated',
    note: null,
  };
}

/** A conflict on the user's full name: the CRM's "Ada Lovelace" won over YouTrack's `loser`. */
export function nameConflict(link: Link, loser: string, at: string): NewConflict {
  return {
    linkId: link.id,
    flow: 'users',
    property: 'fullName',
    winnerSide: 'customcrm',
    winnerValue: 'Ada Lovelace',
    loserSide: 'youtrack',
    loserValue: loser,
    at,
  };
}

async function seed(store: StateStore): Promise<DashboardFixture['seeded']> {
  const ada = await store.insertLink(userLink(1, 'Ada Lovelace', 'ada@example.com'));
  const evil = await store.insertLink(userLink(2, '<script>alert(1)</script>', 'x@example.com'));
  await store.insertLink({
    ...userLink(3, 'Acme', ''),
    flow: 'organizations',
    ytType: 'Organization',
    crmType: 'Customer',
    base: { name: 'Acme', description: 'Anvils' },
    label: 'Acme',
  });
  const cycle = await store.startCycle({ connection: 'main', kind: 'full' });
  await store.addHistory([
    emailChange(ada, cycle, '2024-06-01T11:00:00Z', 'ada@old.example.com'),
    {
      at: '2024-06-01T11:30:00Z',
      cycleId: cycle,
      linkId: ada.id,
      flow: 'users',
      system: 'youtrack',
      recordId: ada.ytId,
      property: 'fullName',
      oldValue: 'Ada King',
      newValue: 'Ada Lovelace',
      source: 'customcrm',
      action: 'conflict',
      note: 'both sides changed; the newer change won',
    },
  ]);
  const conflict = await store.addConflict(nameConflict(ada, 'Augusta Ada King', '2024-06-01T11:30:00Z'));
  await store.finishCycle(cycle, { status: 'ok', writes: 7, stats: {} });
  await store.quarantine({
    system: 'customcrm',
    recordType: 'Contact',
    recordId: 'C-4242',
    flow: 'users',
    code: 'INVALID_EMAIL',
    property: 'email',
    reason: 'C-4242: Email "not-an-address" is not an e-mail address; fix it in Customcrm',
  });
  const [q] = await store.listQuarantine({ status: 'quarantined', limit: 1 });
  return { ada, evil, conflictId: conflict.id, quarantineId: q?.id ?? 0 };
}

export const BREAKER_MESSAGE =
  'Stopped before writing: the users flow would delete 9 of 10 linked records (90%), above the limit of 50% (maxDeleteShare).';

async function seedBeta(root: StateStore): Promise<NonNullable<DashboardFixture['beta']>> {
  const store = root.forConnection('beta');
  const ada = await store.insertLink({ ...userLink(1, 'Ada Byron', 'ada@beta.example'), crmId: 'B-1' });
  const cycle = await store.startCycle({ connection: 'beta', kind: 'full' });
  const conflict = await store.addConflict({
    linkId: ada.id,
    flow: 'users',
    property: 'email',
    winnerSide: 'youtrack',
    winnerValue: 'ada@beta.example',
    loserSide: 'customcrm',
    loserValue: 'ada@old-beta.example',
    at: '2024-06-01T11:40:00Z',
  });
  await store.finishCycle(cycle, { status: 'failed', writes: 0, stats: {}, message: BREAKER_MESSAGE });
  return { ada, conflictId: conflict.id };
}

/** One connection, `main`; with `twoConnections`, also `beta`, so `/` lists both. */
export async function startDashboardFixture(
  extraLinks = 0,
  opts: { twoConnections?: boolean } = {},
): Promise<DashboardFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-dashboard-'));
  // The store stamps links and cycles with this clock; the pages compare against NOW.
  const clock = new ManualClock(NOW - 90 * 60_000);
  const store = await openStore(`sqlite:${join(dir, 'state.db')}`, { clock });
  const seeded = await seed(store);
  const beta = opts.twoConnections ? await seedBeta(store) : undefined;
  const names = opts.twoConnections ? ['main', 'beta'] : ['main'];
  if (extraLinks > 0)
    await store.transaction(async (tx) => {
      for (let i = 0; i < extraLinks; i++)
        await tx.insertLink(userLink(100 + i, `Person ${i}`, `person${i}@example.com`));
    });
  const metrics = new Metrics();
  metrics.inc(
    'tandem_api_calls_total',
    'API calls',
    { connection: 'main', system: 'youtrack', status: '200' },
    40,
  );
  metrics.inc(
    'tandem_api_calls_total',
    'API calls',
    { connection: 'main', system: 'customcrm', status: '200' },
    12,
  );
  metrics.inc(
    'tandem_api_calls_total',
    'API calls',
    { connection: 'main', system: 'customcrm', status: '503' },
    3,
  );
  metrics.inc('tandem_api_errors_total', 'API errors', { connection: 'main', system: 'customcrm' }, 3);
  const triggered: string[] = [];
  const runner = {
    schedule: () => names.map((connection) => ({ connection, running: false, nextAt: NOW + 30_000 })),
    trigger: (connection: string) => void triggered.push(connection),
  };
  const token = 'dashboard-test-token-123';
  const log = new MemorySink();
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    token,
    logger: new JsonLogger(log, 'error'),
    routes: dashboardRoutes({
      store,
      metrics,
      runner,
      connections: names.map((name) => ({ name, mapping: defaultMapping })),
      now: () => NOW,
    }),
  });
  return {
    store,
    server,
    token,
    metrics,
    log,
    clock,
    triggered,
    seeded,
    ...(beta ? { beta } : {}),
    close: async () => {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Chromium as the developers' guide runs it in tests (headless, nothing fetched from the network). */
export function launchChromium(): Promise<import('playwright-core').Browser> {
  return import('playwright-core').then(({ chromium }) =>
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  );
}
