import type pg from 'pg';
import type { RateLimiter, TokenBucketOptions } from '../../http/rate-limit.ts';
import type { Clock } from '../../util/clock.ts';

/** The table is small (one row per connection and system), so it is created here rather than by a migration. */
const CREATE = `CREATE TABLE IF NOT EXISTS tandem_rate_limits (
  connection TEXT NOT NULL,
  system     TEXT NOT NULL,
  tokens     double precision NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (connection, system)
)`;

/**
 * Refills by the time elapsed on the database clock and takes one token, in one statement: the
 * row lock serializes workers, and no worker's own clock skews the rate. Tokens may go below
 * zero: a caller then owns a future slot and waits until it comes.
 */
const TAKE = `INSERT INTO tandem_rate_limits AS b (connection, system, tokens, updated_at)
  VALUES ($1, $2, $3::float8 - 1, clock_timestamp())
  ON CONFLICT (connection, system) DO UPDATE SET
    tokens = least($3::float8,
      b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at)::float8 * $4::float8) - 1,
    updated_at = clock_timestamp()
  RETURNING tokens`;

/** Any key will do as long as every Tandem uses the same one: it only serializes the CREATE. */
const CREATE_LOCK = 7_316_110_044;

/**
 * Creates the shared table once per database; safe to call from every worker at once. Concurrent
 * `CREATE TABLE IF NOT EXISTS` is not safe in PostgreSQL (the loser can fail on the catalog's
 * unique indexes, with more than one error code), so the workers take turns under a lock.
 */
export async function prepareSharedLimits(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [CREATE_LOCK]);
    await client.query(CREATE);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * A token bucket of one (connection, system) kept in PostgreSQL, so every worker together stays
 * under the system's limit. Same options and meaning as the in-process `TokenBucket`.
 */
export class SharedTokenBucket implements RateLimiter {
  constructor(
    private readonly pool: pg.Pool,
    private readonly key: { connection: string; system: string },
    private readonly opts: TokenBucketOptions,
    private readonly clock: Clock,
  ) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('rate limit: ratePerSecond must be above 0');
    if (!(opts.burst >= 1)) throw new RangeError('rate limit: burst must be at least 1');
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const { rows } = await this.pool.query<{ tokens: number }>(TAKE, [
      this.key.connection,
      this.key.system,
      this.opts.burst,
      this.opts.ratePerSecond,
    ]);
    const tokens = Number(rows[0]?.tokens ?? 0);
    if (tokens < 0) await this.clock.sleep(Math.ceil((-tokens / this.opts.ratePerSecond) * 1000), signal);
  }
}
