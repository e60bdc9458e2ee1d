import type pg from 'pg';
import {
  AimdPace,
  type CallFeedback,
  type RateLimiter,
  type TokenBucketOptions,
} from '../../http/rate-limit.ts';
import type { Clock } from '../../util/clock.ts';

/** The table is small (one row per connection and system), so it is created here rather than by a migration. */
const CREATE = `CREATE TABLE IF NOT EXISTS tandem_rate_limits (
  connection TEXT NOT NULL,
  system     TEXT NOT NULL,
  tokens     double precision NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (connection, system)
)`;

/** The adaptive pace (issue 16): the rate the workers settled on and a Retry-After pause. */
const ADAPTIVE_COLUMNS = `ALTER TABLE tandem_rate_limits
  ADD COLUMN IF NOT EXISTS rate double precision,
  ADD COLUMN IF NOT EXISTS paused_until timestamptz`;

/**
 * Refills by the time elapsed on the database clock and takes one token, in one statement: the
 * row lock serializes workers, and no worker's own clock skews the rate. Tokens may go below
 * zero: a caller then owns a future slot and waits until it comes. The refill rate is the shared
 * adaptive rate, never above the configured one ($4).
 */
const TAKE = `INSERT INTO tandem_rate_limits AS b (connection, system, tokens, updated_at)
  VALUES ($1, $2, $3::float8 - 1, clock_timestamp())
  ON CONFLICT (connection, system) DO UPDATE SET
    tokens = least($3::float8,
      b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at)::float8
        * least($4::float8, coalesce(b.rate, $4::float8))) - 1,
    updated_at = clock_timestamp()
  RETURNING tokens, least($4::float8, coalesce(rate, $4::float8)) AS rate,
    greatest(0, coalesce(extract(epoch FROM paused_until - clock_timestamp()) * 1000, 0))::float8 AS paused_ms`;

/** A worker's pace decision, for every worker: a cut at once, an increase at most once a second. */
const SET_RATE = `UPDATE tandem_rate_limits SET rate = $3::float8,
    paused_until = CASE WHEN $4::float8 > 0
      THEN greatest(coalesce(paused_until, clock_timestamp()), clock_timestamp() + $4::float8 * interval '1 millisecond')
      ELSE paused_until END
  WHERE connection = $1 AND system = $2`;

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
    await client.query(ADAPTIVE_COLUMNS);
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
  /** This worker's view of the shared pace; its decisions are written for the others. */
  private readonly pace: AimdPace | undefined;
  private lastShared = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly key: { connection: string; system: string },
    private readonly opts: TokenBucketOptions,
    private readonly clock: Clock,
    /** Makes sure the table exists before the first take (the coordinator does it once per process). */
    private readonly prepare: () => Promise<void> = () => Promise.resolve(),
  ) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('rate limit: ratePerSecond must be above 0');
    if (!(opts.burst >= 1)) throw new RangeError('rate limit: burst must be at least 1');
    this.pace = opts.adaptive === false ? undefined : new AimdPace(opts.ratePerSecond);
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await this.prepare();
    const { rows } = await this.pool.query<{ tokens: number; rate: number; paused_ms: number }>(TAKE, [
      this.key.connection,
      this.key.system,
      this.opts.burst,
      this.opts.ratePerSecond,
    ]);
    const tokens = Number(rows[0]?.tokens ?? 0);
    const rate = this.pace ? Number(rows[0]?.rate ?? this.opts.ratePerSecond) : this.opts.ratePerSecond;
    this.pace?.adopt(rate);
    const wait = Math.max(Number(rows[0]?.paused_ms ?? 0), tokens < 0 ? (-tokens / rate) * 1000 : 0);
    if (wait > 0) await this.clock.sleep(Math.ceil(wait), signal);
  }

  feedback(call: CallFeedback): void {
    if (!this.pace) return;
    const now = this.clock.now();
    const before = this.pace.rate;
    const cut = this.pace.observe(call, now);
    if (!cut && (this.pace.rate === before || now - this.lastShared < 1000)) return;
    this.lastShared = now;
    const pauseMs = cut ? Math.max(0, this.pace.pausedUntil - now) : 0;
    this.pool
      .query(SET_RATE, [this.key.connection, this.key.system, this.pace.rate, pauseMs])
      .catch(() => undefined);
  }
}
