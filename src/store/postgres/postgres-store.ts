import type pg from 'pg';
import { SqlStateStore } from '../sql-store.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { PostgresDriver } from './postgres-driver.ts';
import { postgresMigrations, postgresQueries } from './postgres-dialect.ts';

/**
 * A PostgreSQL state store on a connection pool. `where` names the database in messages and
 * must not contain the password. Call `migrate()` before use.
 */
export function createPostgresStore(options: {
  url: string;
  where: string;
  clock?: Clock;
  /** A pool from `createPostgresPool`, shared with others and ended by whoever made it. */
  pool?: pg.Pool;
}): SqlStateStore {
  const driver = new PostgresDriver(options.url, options.where, options.pool);
  return new SqlStateStore(
    { driver, queries: postgresQueries, migrations: postgresMigrations },
    options.clock ?? systemClock,
  );
}
