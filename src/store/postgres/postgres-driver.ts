import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import {
  checkNotTooNew,
  type Migration,
  type SqlConnection,
  type SqlDriver,
  type SqlValue,
} from '../driver.ts';
import { StoreError } from '../errors.ts';

/** Any key will do as long as every Tandem uses the same one: it only serializes migrations. */
const MIGRATION_LOCK = 7_316_110_042;

const INT8 = 20;
const JSON_OID = 114;
const JSONB = 3802;

/**
 * bigint ids and counts as numbers (ids stay far below 2^53), JSON as its text so that rows
 * look the same as SQLite's and the shared code parses them once.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (v: string) => Number(v);
    if (oid === JSON_OID || oid === JSONB) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

interface TxScope {
  open: boolean;
  conn: SqlConnection;
}

/**
 * Statements with parameters run as named (prepared) statements: each pooled connection parses
 * and plans one once, then only binds values. A sync repeats a handful of statements hundreds of
 * thousands of times, and parsing each again was a good part of PostgreSQL's CPU on a first sync.
 * Statements without parameters (migrations hold several) are sent as they are.
 */
const statementNames = new Map<string, string>();

function statement(sql: string, params: readonly SqlValue[]): pg.QueryConfig | string {
  if (params.length === 0) return sql;
  let name = statementNames.get(sql);
  if (name === undefined) statementNames.set(sql, (name = `tandem_${statementNames.size}`));
  return { name, text: sql, values: params as SqlValue[] };
}

function connectionOf(q: pg.Pool | pg.PoolClient, where: string): SqlConnection {
  return {
    all: async (sql, params = []) => (await typed(q.query(statement(sql, params)), where)).rows,
    run: async (sql, params = []) => (await typed(q.query(statement(sql, params)), where)).rowCount ?? 0,
  };
}

/** SQLSTATEs of a lock that could not be had: serialization failure, deadlock, lock not available. */
const BUSY = new Set(['40001', '40P01', '55P03']);
/** Server going away or refusing connections (class 08 is every connection exception). */
const GONE = new Set(['57P01', '57P02', '57P03', '53300']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/** The database's failures a caller can act on become StoreErrors; the rest (bugs) pass as they are. */
async function typed<T>(promise: Promise<T>, where: string): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw storeFailure(err, where);
  }
}

function storeFailure(err: unknown, where: string): unknown {
  if (err instanceof StoreError || !(err instanceof Error)) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  if (BUSY.has(code))
    return new StoreError(
      'STORE_BUSY',
      `${where}: ${err.message}; another transaction held the rows, try again`,
      { cause: err },
    );
  // pg reports a connection lost mid-query with this message and no code.
  if (
    code.startsWith('08') ||
    GONE.has(code) ||
    NETWORK.has(code) ||
    /^Connection terminated/.test(err.message)
  )
    return new StoreError(
      'STORE_UNAVAILABLE',
      `${where}: ${err.message}; check that PostgreSQL is running and reachable, then try again`,
      { cause: err },
    );
  return err;
}

/**
 * A pg Pool. Outside a transaction each statement takes any pooled client; a transaction holds
 * one client, and an AsyncLocalStorage scope routes calls made inside it to that client.
 */
/**
 * A pool with the store's type parsers. The composition root makes one per database and shares it
 * with the PostgreSQL coordinator of `tandem run` (lock, queue, shared limiter), whose statements
 * pass pg's own parsers where they need them.
 */
export function createPostgresPool(connectionString: string, max = 5): pg.Pool {
  const pool = new pg.Pool({ connectionString, types, max });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  private readonly pool: pg.Pool;
  /** A pool given by the caller is the caller's to end. */
  private readonly ownsPool: boolean;
  private readonly scope = new AsyncLocalStorage<TxScope>();
  private readonly pooled: SqlConnection;

  constructor(
    connectionString: string,
    private readonly where: string,
    pool?: pg.Pool,
  ) {
    this.ownsPool = pool === undefined;
    this.pool = pool ?? createPostgresPool(connectionString);
    this.pooled = connectionOf(this.pool, where);
  }

  connection<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    const tx = this.scope.getStore();
    return fn(tx?.open ? tx.conn : this.pooled);
  }

  async transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    const outer = this.scope.getStore();
    if (outer?.open) return fn(outer.conn);
    const client = await typed(this.pool.connect(), this.where);
    const tx: TxScope = { open: true, conn: connectionOf(client, this.where) };
    let broken: Error | undefined;
    try {
      await tx.conn.run('BEGIN');
      const result = await this.scope.run(tx, () => fn(tx.conn));
      await tx.conn.run('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      tx.open = false;
      client.release(broken);
    }
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    await this.transaction(async (c) => {
      // Several workers may start at once: the first migrates, the others wait and find it done.
      await c.run('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`);
      const [row] = await c.all('SELECT max(version) AS v FROM schema_migrations');
      const current = Number(row?.v ?? 0);
      checkNotTooNew(current, migrations, this.where);
      for (const m of migrations) {
        if (m.version <= current) continue;
        try {
          await c.run(m.sql);
        } catch (err) {
          if (err instanceof StoreError) throw err;
          throw new StoreError(
            'STORE_MIGRATION_FAILED',
            `${this.where}: migration ${m.version} (${m.name}) failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
        await c.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [
          m.version,
          m.name,
        ]);
      }
    });
  }

  close(): Promise<void> {
    return this.ownsPool ? this.pool.end() : Promise.resolve();
  }
}
