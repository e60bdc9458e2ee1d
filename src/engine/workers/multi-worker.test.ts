import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startCustomcrmServer, type CustomcrmServer } from '../../emulators/customcrm/index.ts';
import { startYouTrackEmulator, type YouTrackEmulator } from '../../emulators/youtrack/index.ts';
import { parseConfig } from '../../config/load.ts';
import type { ConnectionConfig } from '../../config/schema.ts';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import { openStore } from '../../store/index.ts';
import { runCycle } from '../cycle.ts';
import { createConnectionRuntime } from '../runtime.ts';
import { describePostgres } from '../../../test/helpers/postgres.ts';
import { TestDatabase } from '../../../test/support/store/test-database.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'tandem.js');
const CONNECTIONS = 20;
const USERS = 30;
const YT_TOKEN = 'perm:workers-yt-Qa81';
const CRM_TOKEN = 'crm-workers-Hx21';
/** The same directory in every YouTrack: equal ids in different connections must not meet in the store. */
const DIRECTORY = { users: USERS, groups: 3, orgs: 2, randomSeed: 7 };
const FAST = { baseDelayMs: 1, maxDelayMs: 20 };

async function contactsOf(crm: CustomcrmServer): Promise<Array<{ Email?: string }>> {
  const contacts: Array<{ Email?: string }> = [];
  let cursor: string | null = null;
  do {
    const page: { data: Array<{ Email?: string }>; nextCursor: string | null } = await getJson(
      `${crm.url}/v1/contacts?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
      CRM_TOKEN,
    );
    contacts.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return contacts;
}

function emailsOf(contacts: Array<{ Email?: string }>): string[] {
  return contacts.map((c) => c.Email?.toLowerCase() ?? '').sort();
}

/** The end state of one connection synced by one process on SQLite: what every worker run must match. */
async function referenceRun(dir: string): Promise<{ contacts: number; emails: string[]; links: number }> {
  const yt = await startYouTrackEmulator({ token: YT_TOKEN, ...DIRECTORY });
  const crm = await startCustomcrmServer({ token: CRM_TOKEN, seed: 'empty', db: join(dir, 'ref-crm.db') });
  const store = await openStore(`sqlite:${join(dir, 'ref.db')}`);
  try {
    const config = parseConfig({
      connections: [
        {
          name: 'ref',
          youtrack: { url: yt.url, token: YT_TOKEN, retry: FAST },
          customcrm: { url: `${crm.url}/v1`, token: CRM_TOKEN, retry: FAST },
        },
      ],
    });
    const logger = new JsonLogger(new MemorySink(), 'warn');
    const rt = createConnectionRuntime(config.connections[0] as ConnectionConfig, { logger });
    await runCycle(rt, { store, logger }, { kind: 'full' });
    const second = await runCycle(rt, { store, logger }, { kind: 'full' });
    if (second.writes !== 0) throw new Error(`reference: second cycle wrote ${second.writes}`);
    const links = await store.forConnection('ref').listLinks({ flow: 'users', status: 'active' });
    const contacts = await contactsOf(crm);
    return { contacts: contacts.length, emails: emailsOf(contacts), links: links.length };
  } finally {
    await store.close();
    await Promise.all([yt.close(), crm.close()]);
  }
}

const TAKEN = new Set(['cycle started', 'connection busy in another worker; job skipped']);

interface Worker {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<void>;
}

function startWorker(config: string, storeUrl: string): Worker {
  const child = spawn(
    process.execPath,
    [BIN, 'run', '--config', config, '--port', '0', '--log-format', 'json'],
    {
      env: {
        ...process.env,
        TANDEM_STORE: storeUrl,
        TANDEM_JOB_EXPIRE_SECONDS: '10',
        TANDEM_JOB_CHECK_SECONDS: '1',
        YT_TOKEN,
        CRM_TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Worker['lines'] = [];
  let rest = '';
  const onData = (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Record<string, unknown>);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, lines, exited };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    // Real processes on the wall clock: there is no Clock to inject across process boundaries.
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

describePostgres('three tandem run workers, twenty connections, one PostgreSQL', (adminUrl) => {
  const db = new TestDatabase(adminUrl);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-workers-'));
  const yts: YouTrackEmulator[] = [];
  const crms: CustomcrmServer[] = [];
  const workers: Worker[] = [];

  beforeAll(async () => {
    await db.create();
    for (let i = 0; i < CONNECTIONS; i++) {
      yts.push(await startYouTrackEmulator({ token: YT_TOKEN, ...DIRECTORY }));
      crms.push(
        await startCustomcrmServer({ token: CRM_TOKEN, seed: 'empty', db: join(dir, `crm-${i}.db`) }),
      );
    }
  });

  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await Promise.all([...yts, ...crms].map((s) => s.close()));
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shares the work, never runs a connection twice at once, and takes over a killed worker’s job', async () => {
    const names = Array.from({ length: CONNECTIONS }, (_, i) => `c${i}`);
    const config = join(dir, 'tandem.yaml');
    const fast = FAST;
    const expected = await referenceRun(dir);
    expect(expected.contacts).toBeGreaterThan(USERS / 2);
    writeFileSync(
      config,
      stringify({
        connections: names.map((name, i) => ({
          name,
          youtrack: { url: yts[i]!.url, token: '${YT_TOKEN}', retry: fast },
          customcrm: { url: `${crms[i]!.url}/v1`, token: '${CRM_TOKEN}', retry: fast },
          schedule: { intervalSeconds: 1, reconcileEverySeconds: 3600 },
        })),
      }),
    );
    const storeUrl = db.url;
    // Migrate once up front so that three workers do not all race through a fresh database.
    await (await openStore(storeUrl)).close();
    for (let i = 0; i < 3; i++) workers.push(startWorker(config, storeUrl));
    let victim: Worker | undefined;
    let killedJob: unknown;
    let killedAt = 0;
    await until(
      'a worker to start a cycle',
      () => {
        for (const w of workers) {
          const started = w.lines.find((l) => l.msg === 'cycle started');
          if (!started) continue;
          w.child.kill('SIGKILL');
          killedAt = Date.now();
          killedJob = started.job;
          victim = w;
          return true;
        }
        return false;
      },
      60_000,
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}; workers said: ${JSON.stringify(workers.map((w) => w.lines.slice(-3)))}`,
      );
    });
    if (!victim) throw new Error('no worker was killed');
    const survivors = workers.filter((w) => w !== victim);
    await victim.exited;

    const client = new pg.Client({ connectionString: storeUrl });
    await client.connect();
    try {
      const takenOver = () =>
        // Picked up by another worker: run, or skipped because a cycle of the connection is running.
        survivors.some((w) => w.lines.some((l) => l.job === killedJob && TAKEN.has(String(l.msg))));
      await until('a survivor to take over the killed job', takenOver, 40_000).catch(async (err: unknown) => {
        const { rows } = await client.query(
          'SELECT id, name, state, retry_count, expire_in, started_on, output FROM pgboss.job WHERE id = $1',
          [killedJob],
        );
        throw new Error(`${String(err)}; ${JSON.stringify(rows)} ${JSON.stringify(victim!.lines.slice(-3))}`);
      });
      // Every connection converged: a cycle after the takeover found nothing to write.
      await until(
        'every connection to run a cycle that writes nothing',
        async () => {
          const { rows } = await client.query<{ n: string }>(
            `SELECT count(DISTINCT connection) AS n FROM cycles
             WHERE status = 'ok' AND writes = 0 AND started_at > $1`,
            [new Date(killedAt + 11_000).toISOString()],
          );
          return Number(rows[0]?.n) === CONNECTIONS;
        },
        60_000,
      );
      for (const w of survivors) w.child.kill('SIGTERM');
      await Promise.all(survivors.map((w) => w.exited));

      const { rows: cycles } = await client.query<{
        connection: string;
        status: string;
        started_at: Date;
        finished_at: Date | null;
      }>(
        'SELECT connection, status, started_at, finished_at FROM cycles ORDER BY connection, started_at, id',
      );
      const unfinished = cycles.filter((c) => c.finished_at === null);
      // Only the killed worker leaves cycles unfinished: those it had in flight.
      const inFlight = (msg: string) =>
        victim!.lines.filter((l) => l.msg === msg).map((l) => String(l.connection));
      const ended = inFlight('cycle ended');
      const cut = inFlight('cycle started').filter((c) => !ended.includes(c));
      expect(cut.length).toBeGreaterThan(0);
      for (const c of unfinished) expect(cut).toContain(c.connection);
      // The next cycle of a connection closes the one the kill cut (if its row was written yet).
      const interrupted = cycles.filter((c) => c.status === 'interrupted').map((c) => c.connection);
      for (const c of interrupted)
        expect(
          cut,
          `${c} was interrupted; the killed worker said ${JSON.stringify(victim.lines.filter((l) => l.connection === c))}`,
        ).toContain(c);
      expect(new Set(interrupted).size).toBe(interrupted.length);
      for (const name of names) {
        const mine = cycles.filter((c) => c.connection === name);
        expect(mine.length).toBeGreaterThan(1);
        for (let i = 1; i < mine.length; i++) {
          const before = mine[i - 1]!;
          // A cut cycle ended with its worker; its finished_at is when the next one closed it.
          const end =
            before.status === 'interrupted' ? killedAt : (before.finished_at?.getTime() ?? killedAt);
          expect(end, `${name}: cycle ${i} starts before the one before it ended`).toBeLessThanOrEqual(
            mine[i]!.started_at.getTime(),
          );
        }
      }
    } finally {
      await client.end();
    }

    const store = await openStore(storeUrl);
    try {
      for (const [i, name] of names.entries()) {
        const contacts = await contactsOf(crms[i]!);
        const links = await store.forConnection(name).listLinks({ flow: 'users', status: 'active' });
        expect(contacts.length, `${name}: Contacts as with one worker`).toBe(expected.contacts);
        expect(emailsOf(contacts), `${name}: the same Contacts, none twice`).toEqual(expected.emails);
        expect(links.length, `${name}: user links as with one worker`).toBe(expected.links);
        expect(new Set(links.map((l) => l.crmId)).size).toBe(links.length);
        expect(new Set(links.map((l) => l.ytId)).size).toBe(links.length);
      }
    } finally {
      await store.close();
    }
  }, 150_000);
});
