import type { Migration, SqlDriver, SqlRow, SqlValue } from './driver.ts';
import { StoreError } from './errors.ts';
import { PostgresDriver } from './postgres/postgres-driver.ts';
import { postgresMigrations } from './postgres/postgres-dialect.ts';
import { SqliteDriver } from './sqlite/sqlite-driver.ts';
import { sqliteMigrations } from './sqlite/sqlite-dialect.ts';
import { parseStoreUrl } from './url.ts';
import { registerSecret } from '../log/redact.ts';

/**
 * `tandem store copy` (issue 14): every row of one state store into another, empty one, between
 * SQLite and PostgreSQL in either direction. Both are first brought to the current schema, so the
 * tables have the same columns; ids are kept (history and conflicts point at links by id), and
 * PostgreSQL's identity sequences are moved past them. Rows go in pages, one transaction per page.
 */

/** In the order rows may refer to earlier tables. */
const TABLES = [
  'cycles',
  'links',
  'history',
  'conflicts',
  'quarantine',
  'journal',
  'watermarks',
  'review_items',
] as const;

const PAGE = 1000;

interface Opened {
  driver: SqlDriver;
  display: string;
  placeholder: (n: number) => string;
}

function open(url: string): { driver: SqlDriver; migrations: readonly Migration[]; opened: Opened } {
  const location = parseStoreUrl(url);
  if (location.kind === 'sqlite') {
    const driver = new SqliteDriver({ path: location.path });
    return {
      driver,
      migrations: sqliteMigrations,
      opened: { driver, display: location.display, placeholder: (n) => `?${n}` },
    };
  }
  registerSecret(decodeURIComponent(new URL(location.url).password));
  const driver = new PostgresDriver(location.url, location.display);
  return {
    driver,
    migrations: postgresMigrations,
    opened: { driver, display: location.display, placeholder: (n) => `$${n}` },
  };
}

/** A value as the other database takes it: timestamps as ISO text, the rest as read. */
function portable(v: unknown): SqlValue {
  if (v instanceof Date) return v.toISOString();
  if (v === undefined) return null;
  return v as SqlValue;
}

export type CopyCounts = Record<(typeof TABLES)[number], number>;

export async function copyStore(fromUrl: string, toUrl: string): Promise<CopyCounts> {
  const from = open(fromUrl);
  const to = open(toUrl);
  try {
    if (from.opened.display === to.opened.display)
      throw new StoreError(
        'INVALID_ARGUMENT',
        `--from and --to name the same store (${from.opened.display})`,
      );
    await from.driver.migrate(from.migrations);
    await to.driver.migrate(to.migrations);
    for (const table of TABLES) {
      const [row] = await to.driver.connection((c) => c.all(`SELECT count(*) AS n FROM ${table}`));
      if (Number(row?.n ?? 0) > 0)
        throw new StoreError(
          'INVALID_ARGUMENT',
          `${to.opened.display} already holds ${table}: copy into a new, empty store (a new SQLite file or an empty PostgreSQL database)`,
        );
    }
    const counts = {} as CopyCounts;
    for (const table of TABLES) counts[table] = await copyTable(from.opened, to.opened, table);
    if (to.driver.dialect === 'postgres')
      for (const table of TABLES.filter((t) => t !== 'watermarks'))
        await to.driver.connection((c) =>
          c.all(
            `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce(max(id), 0) + 1, false) FROM ${table}`,
          ),
        );
    return counts;
  } finally {
    await from.driver.close();
    await to.driver.close();
  }
}

async function copyTable(from: Opened, to: Opened, table: string): Promise<number> {
  const keyed = table !== 'watermarks';
  let after = -1;
  let total = 0;
  for (;;) {
    const rows: SqlRow[] = await from.driver.connection((c) =>
      keyed
        ? c.all(`SELECT * FROM ${table} WHERE id > ${from.placeholder(1)} ORDER BY id LIMIT ${PAGE}`, [after])
        : c.all(`SELECT * FROM ${table}`),
    );
    if (rows.length === 0) return total;
    const columns = Object.keys(rows[0]!);
    const values = columns.map((_, i) => to.placeholder(i + 1)).join(', ');
    const overriding = keyed && to.driver.dialect === 'postgres' ? ' OVERRIDING SYSTEM VALUE' : '';
    const sql = `INSERT INTO ${table} (${columns.join(', ')})${overriding} VALUES (${values})`;
    await to.driver.transaction(async (c) => {
      for (const r of rows)
        await c.run(
          sql,
          columns.map((k) => portable(r[k])),
        );
    });
    total += rows.length;
    if (!keyed) return total;
    after = Number(rows[rows.length - 1]!.id);
  }
}
