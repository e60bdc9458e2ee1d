import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describePostgres } from '../../../test/helpers/postgres.ts';
import { TestDatabase } from '../../../test/support/store/test-database.ts';
import { tryConnectionLock, type HeldLock } from './advisory-lock.ts';

// Runs without a server too, so the file always has a test.
describe('tryConnectionLock without a database', () => {
  it('rejects, rather than answering "busy", when the server cannot be reached', async () => {
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 });
    try {
      await expect(tryConnectionLock(pool, 'acme')).rejects.toThrow();
    } finally {
      await pool.end();
    }
  });
});

function lostOf(lock: HeldLock): Promise<unknown> {
  return new Promise((resolve) => {
    if (lock.lost.aborted) resolve(lock.lost.reason);
    lock.lost.addEventListener('abort', () => resolve(lock.lost.reason), { once: true });
  });
}

describePostgres('tryConnectionLock on PostgreSQL', (adminUrl) => {
  const db = new TestDatabase(adminUrl);
  // Two workers, each with its own pool, as two `tandem run` processes would have.
  let a: pg.Pool;
  let b: pg.Pool;
  const held: HeldLock[] = [];

  beforeAll(() => db.create());
  afterAll(() => db.drop());
  beforeEach(() => {
    a = new pg.Pool({ connectionString: db.url, max: 4 });
    b = new pg.Pool({ connectionString: db.url, max: 4 });
    // The terminated session's client reports its end to the pool once it is back in it.
    a.on('error', () => undefined);
    b.on('error', () => undefined);
  });
  afterEach(async () => {
    await Promise.all(held.splice(0).map((l) => l.release()));
    await Promise.all([a.end(), b.end()]);
  });

  const take = async (pool: pg.Pool, connection: string): Promise<HeldLock | null> => {
    const lock = await tryConnectionLock(pool, connection);
    if (lock) held.push(lock);
    return lock;
  };

  it('lets one worker hold a connection; another, or a retry in the same worker, gets null', async () => {
    const first = await take(a, 'acme');
    expect(first).not.toBeNull();
    expect(await take(b, 'acme')).toBeNull();
    // A retried job in the same worker takes another pooled session, which must not re-enter the lock.
    expect(await take(a, 'acme')).toBeNull();
    expect(await take(b, 'globex')).not.toBeNull();
    // A refused attempt hands its client back: the pool is not drained by busy connections.
    for (let i = 0; i < 10; i++) expect(await take(b, 'acme')).toBeNull();
    expect((await b.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('lets another worker take the connection once released', async () => {
    const first = await take(a, 'acme');
    expect(first).not.toBeNull();
    await first!.release();
    held.splice(held.indexOf(first!), 1);
    expect(first!.lost.aborted).toBe(false);
    expect(await take(b, 'acme')).not.toBeNull();
  });

  it('is released when the holding session dies, and tells its holder', async () => {
    const first = await take(a, 'acme');
    expect(first).not.toBeNull();
    const { rows } = await b.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows).toHaveLength(1);
    const lost = lostOf(first!);
    await b.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);

    await expect(lost).resolves.toBeInstanceOf(Error);
    expect(await take(b, 'acme')).not.toBeNull();
    // Releasing a lost lock neither throws nor puts the dead session back into the pool.
    await first!.release();
    held.splice(held.indexOf(first!), 1);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => a.query<{ one: number }>('SELECT 1 AS one')),
    );
    expect(results.map((r) => r.rows[0]?.one)).toEqual([1, 1, 1, 1]);
  });
});
