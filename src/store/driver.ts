import { StoreError } from './errors.ts';

/**
 * The small interface behind which each database sits (one folder per database, the same
 * files in each). The shared store speaks only this; it never imports a database package.
 */

/** What a statement may bind. Booleans are stored as 0/1 where the database has no boolean. */
export type SqlValue = string | number | boolean | null;

/** A row as the driver returns it: JSON columns as text, timestamps as ISO text or Date. */
export type SqlRow = Record<string, unknown>;

export interface SqlConnection {
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface SqlDriver {
  readonly dialect: string;
  /** Runs `fn` on the connection of the transaction in progress here, else on an autocommit one. */
  connection<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction; inside a running one, joins it. */
  transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T>;
  /** Applies the migrations the database has not seen yet, each in its own transaction. */
  migrate(migrations: readonly Migration[]): Promise<void>;
  close(): Promise<void>;
}

/** A unique-constraint violation, told apart the same way for every database. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Refuses a database migrated by a newer Tandem: its data may mean something we do not know. */
export function checkNotTooNew(current: number, migrations: readonly Migration[], where: string): void {
  const known = migrations.at(-1)?.version ?? 0;
  if (current > known) {
    throw new StoreError(
      'STORE_SCHEMA_TOO_NEW',
      `${where}: the schema is at version ${current} but this Tandem knows only up to ${known}; upgrade Tandem`,
    );
  }
}
