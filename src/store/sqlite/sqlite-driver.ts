import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  checkNotTooNew,
  type Migration,
  type SqlConnection,
  type SqlDriver,
  type SqlRow,
  type SqlValue,
} from '../driver.ts';
import { StoreError } from '../errors.ts';
import { Mutex } from '../mutex.ts';

export interface SqliteOptions {
  /** A file path, or ':memory:'. */
  path: string;
  /**
   * FULL (default) syncs the WAL on every commit, so a committed journal entry or link
   * survives a power cut; NORMAL survives only a process crash but commits faster.
   */
  synchronous?: 'full' | 'normal';
  /** How long a transaction waits for another connection's write lock (default 5 s). */
  busyTimeoutMs?: number;
  /**
   * Holds the store's process lock (`FILE.lock`) while open: a second process that asks for it is
   * refused with STORE_LOCKED. The commands that run cycles ask; readers (status, history) do not.
   */
  exclusive?: boolean;
}

/**
 * The process lock: an exclusive transaction held on a small SQLite file beside the store. The
 * operating system releases it when the process ends, however it ends, so a crash leaves no
 * stale lock behind.
 */
function acquireProcessLock(path: string): Database.Database {
  const file = `${path}.lock`;
  createPrivate(file);
  const lock = new Database(file, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    return lock;
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new StoreError(
        'STORE_LOCKED',
        `the state store ${path} is in use by another tandem process (run or sync); stop it first, or use PostgreSQL to run several workers`,
        { cause: err },
      );
    throw err;
  }
}

/** Creates the file readable by its owner only (0600) when it does not exist yet. */
function createPrivate(file: string): void {
  if (file === ':memory:' || file === '') return;
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

interface TxScope {
  open: boolean;
}

/**
 * One better-sqlite3 connection. better-sqlite3 is synchronous but our transactions await
 * between statements, so a mutex keeps every other caller out while one is open, and an
 * AsyncLocalStorage scope lets calls made inside it join it instead of waiting on themselves.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  private readonly db: Database.Database;
  private readonly mutex = new Mutex();
  private readonly scope = new AsyncLocalStorage<TxScope>();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly conn: SqlConnection = {
    all: async (sql, params = []) => this.prepare(sql).all(...bind(params)) as SqlRow[],
    run: async (sql, params = []) => this.prepare(sql).run(...bind(params)).changes,
  };

  private readonly busyTimeoutMs: number;
  private readonly lock: Database.Database | null;

  constructor(options: SqliteOptions) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    // SQLite's own busy wait blocks the event loop, and with it a transaction of this process
    // that holds the lock: waiting for the lock is done asynchronously in begin() instead.
    this.lock = options.exclusive && options.path !== ':memory:' ? acquireProcessLock(options.path) : null;
    // The store holds record data and the journal: owner-only, like the WAL and -shm files SQLite
    // creates next to it with the same mode.
    try {
      createPrivate(options.path);
      this.db = new Database(options.path, { timeout: 0 });
    } catch (err) {
      this.lock?.close();
      throw err;
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
  }

  connection<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    if (this.scope.getStore()?.open) return fn(this.conn);
    return this.mutex.run(() => fn(this.conn));
  }

  transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    if (this.scope.getStore()?.open) return fn(this.conn);
    return this.mutex.run(async () => {
      const tx: TxScope = { open: true };
      await this.begin();
      try {
        const result = await this.scope.run(tx, () => fn(this.conn));
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      } finally {
        tx.open = false;
      }
    });
  }

  async migrate(migrations: readonly Migration[]): Promise<void> {
    // BEGIN IMMEDIATE takes the write lock, so a second process starting at once waits here.
    await this.transaction(async (c) => {
      await c.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const [row] = await c.all('SELECT max(version) AS v FROM schema_migrations');
      const current = Number(row?.v ?? 0);
      checkNotTooNew(current, migrations, `SQLite ${this.db.name}`);
      for (const m of migrations) {
        if (m.version <= current) continue;
        try {
          this.db.exec(m.sql);
        } catch (err) {
          throw new StoreError(
            'STORE_MIGRATION_FAILED',
            `SQLite ${this.db.name}: migration ${m.version} (${m.name}) failed: ${(err as Error).message}`,
            { cause: err },
          );
        }
        await c.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
      }
    });
  }

  /** The durability settings in force, for tests and the status page. */
  settings(): {
    journalMode: string;
    synchronous: 'full' | 'normal' | 'off' | 'extra';
    foreignKeys: boolean;
    busyTimeoutMs: number;
  } {
    const levels = ['off', 'normal', 'full', 'extra'] as const;
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: levels[Number(this.db.pragma('synchronous', { simple: true }))] ?? 'off',
      foreignKeys: this.db.pragma('foreign_keys', { simple: true }) === 1,
      busyTimeoutMs: this.busyTimeoutMs,
    };
  }

  /** BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails half-way on SQLITE_BUSY. */
  private async begin(): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
        if (Date.now() >= deadline)
          throw new StoreError(
            'STORE_BUSY',
            `the state store is locked by another writer for more than ${this.busyTimeoutMs} ms; try again, or stop the other tandem process`,
            { cause: err },
          );
      }
      await sleep(wait);
    }
  }

  async close(): Promise<void> {
    await this.mutex.run(async () => {
      this.db.close();
      this.lock?.close();
    });
  }

  private prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

/** Our SQL numbers its parameters (?1, ?2) as PostgreSQL does ($1, $2); better-sqlite3 binds those by key. */
function bind(params: readonly SqlValue[]): [Record<number, unknown>] | [] {
  if (params.length === 0) return [];
  const named: Record<number, unknown> = {};
  params.forEach((v, i) => (named[i + 1] = typeof v === 'boolean' ? Number(v) : v));
  return [named];
}
