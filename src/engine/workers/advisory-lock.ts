import type pg from 'pg';

/** First key of every Tandem advisory lock ("TDM"), so other applications' locks on the database never collide. */
const LOCK_CLASS = 0x54444d;

export interface HeldLock {
  /** Aborted when the database connection holding the lock is lost: the lock is gone with it. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * Takes the session-level advisory lock of one connection on a client of its own, or returns
 * null at once when another worker holds it. The lock lives as long as that database session,
 * not as long as a pg-boss job: a job that expires while its cycle still runs keeps the
 * connection locked, and a worker that dies loses the lock when PostgreSQL drops its session.
 */
export async function tryConnectionLock(pool: pg.Pool, connection: string): Promise<HeldLock | null> {
  const client = await pool.connect();
  const lost = new AbortController();
  const onError = (err: Error) => lost.abort(err);
  client.on('error', onError);
  let held = false;
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok',
      [LOCK_CLASS, connection],
    );
    held = rows[0]?.ok === true;
  } finally {
    if (!held) {
      client.off('error', onError);
      client.release();
    }
  }
  if (!held) return null;
  return {
    lost: lost.signal,
    release: async () => {
      try {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, connection]);
        client.off('error', onError);
        client.release();
      } catch (err) {
        // A broken session must not go back to the pool; its lock is released with it.
        client.off('error', onError);
        client.release(err instanceof Error ? err : new Error(String(err)));
      }
    },
  };
}
