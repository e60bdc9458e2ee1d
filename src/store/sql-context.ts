import type { Props, PropValue } from '../core/types.ts';
import type { Clock } from '../util/clock.ts';
import type { Migration, SqlDriver, SqlValue } from './driver.ts';
import { StoreError } from './errors.ts';
import type { Queries } from './queries.ts';
import type { Statement } from './statements.ts';

/** What a database supplies to the shared store: its driver, its statements and its migrations. */
export interface SqlBackend {
  driver: SqlDriver;
  queries: Queries;
  migrations: readonly Migration[];
}

/**
 * What every part of the shared store works with: the driver, the statements, the clock and
 * the connection in scope. Calls made inside a transaction join it through the driver.
 */
export class SqlContext {
  readonly driver: SqlDriver;
  readonly q: Queries;

  constructor(
    backend: SqlBackend,
    readonly clock: Clock,
    readonly connection: string,
  ) {
    this.driver = backend.driver;
    this.q = backend.queries;
  }

  now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  all(sql: string, params: readonly SqlValue[] = []) {
    return this.driver.connection((c) => c.all(sql, params));
  }

  query(statement: Statement) {
    return this.all(statement.sql, statement.params);
  }

  /** Writes always run in a transaction, which is where SQLite waits for a busy lock without blocking. */
  run(sql: string, params: readonly SqlValue[] = []) {
    return this.driver.transaction((c) => c.run(sql, params));
  }

  insert(sql: string, params: readonly SqlValue[]) {
    return this.driver.transaction((c) => c.all(sql, params));
  }
}

/**
 * PostgreSQL cannot hold U+0000 in text or jsonb; every database refuses it alike so that a
 * store that works on SQLite does not fail later on PostgreSQL.
 */
export function json(value: PropValue | Props, what: string): string {
  if (hasNul(value)) throw nulError(what);
  return JSON.stringify(value);
}

export function checkText(values: readonly (string | null)[], what: string): void {
  if (values.some(hasNul)) throw nulError(what);
}

function nulError(what: string): StoreError {
  return new StoreError(
    'INVALID_VALUE',
    `${what} contains a NUL character (U+0000), which the state store cannot keep; remove it in the source system`,
  );
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => hasNul(k) || hasNul(v));
  return false;
}
