import PgBoss from 'pg-boss';
import pg from 'pg';
import type { RateLimiter } from '../../http/rate-limit.ts';
import type { ConnectionConfig } from '../../config/schema.ts';
import type { SystemName } from '../../core/types.ts';
import type { Clock } from '../../util/clock.ts';
import { tryConnectionLock, type HeldLock } from './advisory-lock.ts';
import { prepareSharedLimits, SharedTokenBucket } from './shared-limiter.ts';

/**
 * What processes on one PostgreSQL store share to run cycles together: the connection locks, the
 * job queue and the rate limits, all on the store's own pool (one pool per process and database,
 * not one per part). Made by the composition root when the store is PostgreSQL.
 */
export class PostgresCoordination {
  private limits: Promise<void> | undefined;

  constructor(
    readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {}

  /** The (connection, system) token bucket every process on this database takes from. */
  limiter(connection: ConnectionConfig, system: SystemName): RateLimiter {
    return new SharedTokenBucket(
      this.pool,
      { connection: connection.name, system },
      connection[system].rateLimit,
      this.clock,
      () => this.prepareLimits(),
    );
  }

  /** Creates the limits table once per process (safe when several start at once). */
  prepareLimits(): Promise<void> {
    this.limits ??= prepareSharedLimits(this.pool).catch((err: unknown) => {
      this.limits = undefined;
      throw err;
    });
    return this.limits;
  }

  lock(connection: string): Promise<HeldLock | null> {
    return tryConnectionLock(this.pool, connection);
  }

  /**
   * A pg-boss on this pool, through pg-boss's `db` option (an object with `executeSql`; pg-boss
   * then neither opens nor ends a pool). Its statements use pg's own type parsers: the store's
   * pool returns JSON as text, and pg-boss reads job data as objects.
   */
  queue(opts: { maintenanceSeconds: number }): PgBoss {
    const pool = this.pool;
    return new PgBoss({
      db: {
        executeSql: (text: string, values?: unknown[]) =>
          pool.query({ text, ...(values ? { values } : {}), types: pg.types }),
      },
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: opts.maintenanceSeconds,
    });
  }
}
