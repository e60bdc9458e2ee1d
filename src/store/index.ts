import type pg from 'pg';
import { registerSecret } from '../log/redact.ts';
import type { Clock } from '../util/clock.ts';
import { StoreError } from './errors.ts';
import { createPostgresStore } from './postgres/postgres-store.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';
import type { StateStore } from './types.ts';
import { parseStoreUrl } from './url.ts';

export { StoreError, type StoreErrorCode, type StoreErrorKind } from './errors.ts';
export { createPostgresPool } from './postgres/postgres-driver.ts';
export { parseStoreUrl, redactUrl } from './url.ts';
export type * from './types.ts';

export interface OpenStoreOptions {
  clock?: Clock;
  /** SQLite only: see SqliteOptions.synchronous. */
  synchronous?: 'full' | 'normal';
  /** SQLite only: take the store's process lock (see SqliteOptions.exclusive). */
  exclusive?: boolean;
  /** PostgreSQL only: run on this pool (from `createPostgresPool`) instead of one of its own; the caller ends it. */
  pgPool?: pg.Pool;
}

/**
 * Opens the state store named by `url` and brings its schema up to date: `sqlite:PATH` or a
 * plain path for SQLite, `postgres://` or `postgresql://` for PostgreSQL.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<StateStore> {
  const location = parseStoreUrl(url);
  if (location.kind === 'postgres') registerSecret(decodeURIComponent(new URL(location.url).password));
  let store: StateStore;
  try {
    store =
      location.kind === 'sqlite'
        ? createSqliteStore({ path: location.path, ...options })
        : createPostgresStore({
            url: location.url,
            where: location.display,
            ...optionalClock(options),
            ...(options.pgPool ? { pool: options.pgPool } : {}),
          });
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw openFailed(location.display, err);
  }
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close().catch(() => undefined);
    // An unreachable database at open is said the way every open failure is, with its hint.
    if (err instanceof StoreError && err.kind === 'unavailable')
      throw openFailed(location.display, err.cause);
    if (err instanceof StoreError) throw err;
    throw openFailed(location.display, err);
  }
}

function optionalClock(options: OpenStoreOptions): { clock?: Clock } {
  return options.clock ? { clock: options.clock } : {};
}

function openFailed(display: string, err: unknown): StoreError {
  const reason = err instanceof Error ? err.message : String(err);
  const hint = display.startsWith('sqlite:')
    ? 'check that the directory exists and is writable'
    : 'check that PostgreSQL is running, the database exists and the user may connect';
  return new StoreError('STORE_OPEN_FAILED', `cannot open the state store ${display}: ${reason}; ${hint}`, {
    cause: err,
  });
}
