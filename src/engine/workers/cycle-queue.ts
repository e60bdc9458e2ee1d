import type pg from 'pg';
import type PgBoss from 'pg-boss';

/** How many times an expired or failed cycle job is retried by some worker before it is dropped. */
const RETRY_LIMIT = 5;

/**
 * Serializes queue creation among workers. A single bigint key, so it never meets the two-key
 * connection locks; any value works as long as every Tandem uses the same one.
 */
const QUEUE_DDL_LOCK = 7_316_110_043;

export const cycleQueueName = (connection: string) => `tandem-cycle-${connection}`;

/**
 * Creates the cycle queue of one connection (`stately`: at most one job waiting and one active),
 * or brings an existing one to the expiry asked for. pg-boss keeps a queue's options from its
 * creation, so without the update a changed --job-expire-seconds would never reach it.
 */
export async function ensureCycleQueue(
  boss: PgBoss,
  pool: pg.Pool,
  name: string,
  expireInSeconds: number,
): Promise<void> {
  const options: PgBoss.Queue = {
    name,
    policy: 'stately',
    expireInSeconds,
    retryLimit: RETRY_LIMIT,
    retryDelay: 1,
  };
  // pg-boss 10 creates a queue as a partition of its job table with a foreign key to its queue
  // table; two workers doing that at once (even for different queues) deadlock in PostgreSQL.
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [QUEUE_DDL_LOCK]);
    try {
      const existing = await boss.getQueue(name);
      if (!existing) await boss.createQueue(name, options);
      // updateQueue falls back to the `standard` policy unless it is given again.
      else if (existing.expireInSeconds !== expireInSeconds) await boss.updateQueue(name, options);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [QUEUE_DDL_LOCK]).catch((e: Error) => (broken = e));
    }
  } finally {
    // A session whose unlock failed may still hold the lock: it must not go back to the pool.
    client.release(broken);
  }
}
