import { SqlStateStore } from '../sql-store.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { SqliteDriver, type SqliteOptions } from './sqlite-driver.ts';
import { sqliteMigrations, sqliteQueries } from './sqlite-dialect.ts';

/** Opens (creating if needed) a SQLite state store. Call `migrate()` before use. */
export function createSqliteStore(options: SqliteOptions & { clock?: Clock }): SqlStateStore {
  const driver = new SqliteDriver(options);
  return new SqlStateStore(
    { driver, queries: sqliteQueries, migrations: sqliteMigrations },
    options.clock ?? systemClock,
  );
}
