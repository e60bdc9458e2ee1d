import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDriver } from './driver.ts';
import type { Queries } from './queries.ts';
import { conflictsStatement, historyStatement, linksStatement, type Statement } from './statements.ts';
import { SqliteDriver } from './sqlite/sqlite-driver.ts';
import { sqliteMigrations, sqliteQueries } from './sqlite/sqlite-dialect.ts';
import { PostgresDriver } from './postgres/postgres-driver.ts';
import { postgresMigrations, postgresQueries } from './postgres/postgres-dialect.ts';
import { TestDatabase } from '../../test/support/store/test-database.ts';

const adminUrl = process.env.TANDEM_TEST_POSTGRES;

/**
 * Two connections' worth of links, history and conflicts, made in the database itself so that
 * thousands of rows take milliseconds. Spread so that each key picks few rows: 1,000 links,
 * 8,000 history entries over 600 records and 80 cycles, 3,000 conflicts.
 */
const SEED = [
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
   INSERT INTO links (flow, yt_type, yt_id, crm_type, crm_id, origin, status, base, label, search,
     created_at, updated_at, connection)
   SELECT CASE WHEN i % 3 = 0 THEN 'groups' ELSE 'users' END, 'User', 'yt-' || i, 'Contact',
     'crm-' || i, 'merged', CASE WHEN i % 10 = 0 THEN 'youtrack-deleted' ELSE 'active' END, '{}',
     'label', 'label', '2025-03-01T10:00:00.000Z', '2025-03-01T10:00:00.000Z',
     CASE WHEN i % 2 = 0 THEN 'main' ELSE 'other' END
   FROM n`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
   INSERT INTO history (at, cycle_id, link_id, flow, system, record_id, property, old_value,
     new_value, source, action, connection)
   SELECT '2025-03-01T10:00:00.000Z', i / 100, i % 1000 + 1, 'users', 'customcrm', 'r' || (i % 600),
     'Email', 'null', '"x"', 'youtrack', 'updated', CASE WHEN i % 2 = 0 THEN 'main' ELSE 'other' END
   FROM n`,
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
   INSERT INTO conflicts (link_id, flow, property, winner_side, winner_value, loser_side,
     loser_value, status, at, connection)
   SELECT i % 1000 + 1, 'users', 'Email', 'youtrack', '"a"', 'customcrm', '"b"',
     CASE WHEN i % 4 = 0 THEN 'open' ELSE 'kept' END, '2025-03-01T10:00:00.000Z',
     CASE WHEN (i % 1000 + 1) % 2 = 0 THEN 'main' ELSE 'other' END
   FROM n`,
];

/**
 * The pages people open: one record's, one link's or one cycle's history, and a link's conflicts,
 * each with the index that must answer it (its key first after the connection). Merely "an index"
 * is not enough: scanning the connection's whole (connection, id) index is an index scan too.
 */
function keyedStatements(q: Queries): Array<[string, string, Statement]> {
  const page = { limit: 50 };
  return [
    ['history of a link', 'history_link', historyStatement(q, { linkId: 42, ...page }, 'main')],
    [
      'history of a link, next page',
      'history_link',
      historyStatement(q, { linkId: 42, beforeId: 7000, ...page }, 'main'),
    ],
    [
      'history of a link and cycle',
      'history_link',
      historyStatement(q, { linkId: 42, cycleId: 40, ...page }, 'main'),
    ],
    ['history of a record', 'history_record', historyStatement(q, { recordId: 'r42', ...page }, 'main')],
    [
      'history of a record, next page',
      'history_record',
      historyStatement(q, { recordId: 'r42', beforeId: 7000 }, 'main'),
    ],
    ['history of a cycle', 'history_cycle', historyStatement(q, { cycleId: 40, ...page }, 'main')],
    [
      'history of a cycle, next page',
      'history_cycle',
      historyStatement(q, { cycleId: 40, beforeId: 4050 }, 'main'),
    ],
    ['conflicts of a link', 'conflicts_link', conflictsStatement(q, { linkId: 42 }, 'main')],
    [
      'open conflicts of a link',
      'conflicts_link',
      conflictsStatement(q, { linkId: 42, status: 'open' }, 'main'),
    ],
  ];
}

/** Lists with no key but the connection: paged, as the dashboard and the CLI page them. */
function pagedStatements(q: Queries): Array<[string, Statement]> {
  return [
    ['all history', historyStatement(q, { beforeId: 5000, limit: 50 }, 'main')],
    ['open conflicts', conflictsStatement(q, { status: 'open', limit: 50 }, 'main')],
    ['all conflicts', conflictsStatement(q, { limit: 50 }, 'main')],
    ['links', linksStatement(q, { afterId: 100, limit: 50 }, 'main')],
    ['links of a flow', linksStatement(q, { flow: 'users', status: 'active', limit: 50 }, 'main')],
    ['links by status', linksStatement(q, { status: 'youtrack-deleted', limit: 50 }, 'main')],
  ];
}

async function seed(driver: SqlDriver): Promise<void> {
  await driver.transaction(async (c) => {
    for (const sql of SEED) await c.run(sql);
  });
}

describe('query plans on SQLite (no statistics, as Tandem runs it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-plans-'));
  const driver = new SqliteDriver({ path: join(dir, 'plans.db') });
  beforeAll(async () => {
    await driver.migrate(sqliteMigrations);
    await seed(driver);
  });
  afterAll(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const plan = async ({ sql, params }: Statement) =>
    (await driver.connection((c) => c.all(`EXPLAIN QUERY PLAN ${sql}`, params)))
      .map((r) => String(r.detail))
      .join('\n');

  it('finds the links of a batch of ids by probing the id index, not by walking the flow', async () => {
    for (const [sql, index] of [
      [sqliteQueries.findLinksByYt, 'links_yt'],
      [sqliteQueries.findLinksByCrm, 'links_crm'],
    ] as const) {
      const detail = await plan({ sql, params: ['users', '["yt-2","crm-4"]', 'main'] });
      expect(detail).toMatch(
        new RegExp(`SEARCH links USING INDEX ${index} \\(connection=\\? AND flow=\\? AND (yt|crm)_id=\\?\\)`),
      );
      expect(detail).not.toContain('links_flow_id');
    }
  });

  it('answers a record’s, a link’s and a cycle’s history and a link’s conflicts from the key’s index', async () => {
    for (const [what, index, statement] of keyedStatements(sqliteQueries)) {
      const detail = await plan(statement);
      expect(detail, what).toMatch(new RegExp(`USING (COVERING )?INDEX ${index} \\(`));
      expect(detail, what).not.toMatch(/\bSCAN (history|conflicts)\b/);
      expect(detail, what).not.toContain('TEMP B-TREE');
    }
  });

  it('pages the connection’s lists from an index, in index order', async () => {
    for (const [what, statement] of pagedStatements(sqliteQueries)) {
      const detail = await plan(statement);
      expect(detail, what).toMatch(/USING (COVERING )?INDEX/);
      expect(detail, what).not.toMatch(/\bSCAN (history|conflicts|links)\b/);
      expect(detail, what).not.toContain('TEMP B-TREE');
    }
  });
});

if (!adminUrl && process.env.CI) {
  describe('query plans on PostgreSQL', () => {
    it('needs TANDEM_TEST_POSTGRES in CI', () => {
      throw new Error(
        'TANDEM_TEST_POSTGRES is not set; set it to postgres://tandem:tandem@127.0.0.1:5432/postgres',
      );
    });
  });
} else if (adminUrl) {
  describe('query plans on PostgreSQL (analyzed, thousands of rows)', () => {
    const db = new TestDatabase(adminUrl);
    let driver: PostgresDriver;
    beforeAll(async () => {
      await db.create();
      driver = new PostgresDriver(await db.schemaUrl(), 'test database');
      await driver.migrate(postgresMigrations);
      await seed(driver);
      await driver.connection((c) => c.run('ANALYZE'));
    });
    afterAll(async () => {
      await driver.close();
      await db.drop();
    });

    const plan = async ({ sql, params }: Statement) =>
      (await driver.connection((c) => c.all(`EXPLAIN ${sql}`, params)))
        .map((r) => String(r['QUERY PLAN']))
        .join('\n');

    it('answers a record’s, a link’s and a cycle’s history and a link’s conflicts from an index', async () => {
      for (const [what, index, statement] of keyedStatements(postgresQueries)) {
        const detail = await plan(statement);
        expect(detail, what).toMatch(new RegExp(`(using|Bitmap Index Scan on) ${index}\\b`));
        expect(detail, what).not.toMatch(/Seq Scan on (history|conflicts)/);
      }
    });

    it('pages the connection’s lists from an index', async () => {
      for (const [what, statement] of pagedStatements(postgresQueries)) {
        expect(await plan(statement), what).not.toMatch(/Seq Scan/);
      }
    });
  });
}
