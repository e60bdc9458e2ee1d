import { SqlStateStore } from '../sql-store.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { PostgresDriver } from './postgres-driver.ts';
import { postgresMigrations, postgresQueries } from './postgres-dialect.ts';

/**
 * A PostgreSQL state store on a connection pool. `where` names the database in messages and
 * must not contain the password. Call `migrate()` before use.
 */
export function createPostgresStore(options: { url: string; where: string; clock?: Clock }): SqlStateStore {
  const driver = new PostgresDriver(options.url, options.where);
  return new SqlStateStore(
    { driver, queries: postgresQueries, migrations: postgresMigrations },
    options.clock ?? systemClock,
  );
}
