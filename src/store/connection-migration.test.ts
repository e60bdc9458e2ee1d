import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SqlDriver, Migration } from './driver.ts';
import type { SqlStateStore } from './sql-store.ts';
import { link } from '../../test/support/store/suite.ts';
import { SqliteDriver } from './sqlite/sqlite-driver.ts';
import { sqliteMigrations } from './sqlite/sqlite-dialect.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import { PostgresDriver } from './postgres/postgres-driver.ts';
import { postgresMigrations } from './postgres/postgres-dialect.ts';
import { createPostgresStore } from './postgres/postgres-store.ts';
import { withTestDatabase } from '../../test/support/store/test-database.ts';

interface Database {
  driver(): SqlDriver;
  store(): SqlStateStore;
}

interface Dialect {
  /** A new, empty database: a raw driver on it, and the store this Tandem opens on it. */
  fresh(): Promise<Database>;
  migrations: readonly Migration[];
}

const SCOPED = ['links', 'history', 'conflicts', 'quarantine', 'journal'] as const;

/** One row in each table that migration 2 scopes, written with the version-1 columns only. */
const V1_ROWS = [
  `INSERT INTO links (flow, yt_type, yt_id, crm_type, crm_id, origin, status, base, label, search,
     created_at, updated_at)
   VALUES ('users', 'User', 'yt-1', 'Contact', 'crm-1', 'merged', 'active', '{"Email":"a@example.com"}',
     'Ada <a@example.com>', 'ada <a@example.com> yt-1 crm-1', '2024-05-01T00:00:00.000Z',
     '2024-05-01T00:00:00.000Z')`,
  `INSERT INTO history (at, link_id, flow, system, record_id, property, old_value, new_value, source, action)
   VALUES ('2024-05-01T00:00:00.000Z', (SELECT min(id) FROM links), 'users', 'customcrm', 'crm-1', 'Email',
     '"a@old.example.com"', '"a@example.com"', 'youtrack', 'update')`,
  `INSERT INTO conflicts (link_id, flow, property, winner_side, winner_value, loser_side, loser_value, at)
   VALUES ((SELECT min(id) FROM links), 'users', 'Phone', 'youtrack', '"1"', 'customcrm', '"2"',
     '2024-05-01T00:00:00.000Z')`,
  `INSERT INTO quarantine (system, record_type, record_id, flow, code, reason, attempts, first_seen,
     last_seen, status)
   VALUES ('youtrack', 'User', 'yt-9', 'users', 'INVALID_EMAIL', 'no e-mail', 1, '2024-05-01T00:00:00.000Z',
     '2024-05-01T00:00:00.000Z', 'quarantined')`,
  `INSERT INTO journal (key, flow, op, target_system, target_type, source_system, source_id, payload,
     status, created_at)
   VALUES ('k-1', 'users', 'create', 'customcrm', 'Contact', 'youtrack', 'yt-2', '{"Email":"b@example.com"}',
     'pending', '2024-05-01T00:00:00.000Z')`,
];

const cycle = (connection: string) =>
  `INSERT INTO cycles (connection, kind, status, started_at) VALUES ('${connection}', 'full', 'ok',
     '2024-05-01T00:00:00.000Z')`;

async function exec(driver: SqlDriver, statements: string[]): Promise<void> {
  await driver.transaction(async (c) => {
    for (const sql of statements) await c.run(sql);
  });
}

function defineUpgradeSuite(name: string, dialect: () => Dialect): void {
  describe(`store migration 2 on ${name}: a version-1 database`, () => {
    /** Builds a version-1 store holding the v1 rows and the given cycles, then opens it with this Tandem. */
    async function upgraded(cycleConnections: string[]): Promise<{ db: Database; store: SqlStateStore }> {
      const d = dialect();
      const db = await d.fresh();
      const driver = db.driver();
      const v1 = d.migrations.filter((m) => m.version === 1);
      expect(v1).toHaveLength(1);
      await driver.migrate(v1);
      await exec(driver, [...V1_ROWS, ...cycleConnections.map(cycle)]);
      await driver.close();
      const store = db.store();
      await store.migrate();
      return { db, store };
    }

    /** Straight from the tables, not through the store's scoped queries. */
    async function connectionsIn(db: Database): Promise<Record<string, string[]>> {
      const driver = db.driver();
      try {
        const out: Record<string, string[]> = {};
        for (const table of SCOPED) {
          const rows = await driver.connection((c) =>
            c.all(`SELECT DISTINCT connection FROM ${table} ORDER BY connection`),
          );
          out[table] = rows.map((r) => String(r.connection));
        }
        const [row] = await driver.connection((c) =>
          c.all('SELECT max(version) AS v FROM schema_migrations'),
        );
        out.version = [String(row?.v)];
        return out;
      } finally {
        await driver.close();
      }
    }

    // Upgraded through every later migration too, not only up to 2.
    const latest = String(dialect().migrations.at(-1)?.version);
    const everywhere = (connection: string) => ({
      ...Object.fromEntries(SCOPED.map((t) => [t, [connection]])),
      version: [latest],
    });

    it('gives its rows to the only connection that ever ran a cycle', async () => {
      const { db, store } = await upgraded(['acme', 'acme', 'acme']);
      try {
        expect(await connectionsIn(db)).toEqual(everywhere('acme'));
        const acme = store.forConnection('acme');
        const found = await acme.findLink({ flow: 'users', ytId: 'yt-1' });
        expect(found?.crmId).toBe('crm-1');
        expect(found?.base).toEqual({ Email: 'a@example.com' });
        expect(await acme.listHistory({ linkId: found!.id })).toHaveLength(1);
        expect((await acme.listConflicts({ status: 'open' })).map((c) => c.property)).toEqual(['Phone']);
        expect((await acme.listQuarantine({})).map((q) => q.recordId)).toEqual(['yt-9']);
        expect((await acme.pendingWrites()).map((j) => j.key)).toEqual(['k-1']);
        // The default scope no longer sees them: they are acme's.
        expect(await store.findLink({ flow: 'users', ytId: 'yt-1' })).toBeNull();
        expect(await store.pendingWrites()).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('gives its rows to main when no cycle ever ran', async () => {
      const { db, store } = await upgraded([]);
      try {
        expect(await connectionsIn(db)).toEqual(everywhere('main'));
        expect(store.connection).toBe('main');
        expect((await store.findLink({ flow: 'users', ytId: 'yt-1' }))?.crmId).toBe('crm-1');
        expect((await store.pendingWrites()).map((j) => j.key)).toEqual(['k-1']);
      } finally {
        await store.close();
      }
    });

    it('gives its rows to main when cycles of several connections ran', async () => {
      const { db, store } = await upgraded(['acme', 'globex', 'acme']);
      try {
        expect(await connectionsIn(db)).toEqual(everywhere('main'));
        expect(await store.forConnection('acme').findLink({ flow: 'users', ytId: 'yt-1' })).toBeNull();
      } finally {
        await store.close();
      }
    });

    it('scopes the unique indexes by connection afterwards', async () => {
      const { store } = await upgraded(['acme']);
      try {
        // The same YouTrack id in another connection is another record: the old global index is gone.
        const other = await store.forConnection('globex').insertLink(link({ ytId: 'yt-1', crmId: 'crm-1' }));
        expect(other.id).toBeGreaterThan(0);
        await expect(
          store.forConnection('acme').insertLink(link({ ytId: 'yt-1', crmId: 'crm-other' })),
        ).rejects.toMatchObject({ code: 'LINK_EXISTS' });
      } finally {
        await store.close();
      }
    });
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'tandem-migration-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

defineUpgradeSuite('SQLite', () => ({
  migrations: sqliteMigrations,
  fresh: async () => {
    const path = join(tmp, `v1-${++files}.db`);
    return { driver: () => new SqliteDriver({ path }), store: () => createSqliteStore({ path }) };
  },
}));

withTestDatabase('store migration 2 on PostgreSQL', (db) => {
  defineUpgradeSuite('PostgreSQL', () => ({
    migrations: postgresMigrations,
    fresh: async () => {
      const url = await db.schemaUrl();
      return {
        driver: () => new PostgresDriver(url, 'test database'),
        store: () => createPostgresStore({ url, where: 'test database' }),
      };
    },
  }));
});
