import type pg from 'pg';
import type { ConnectionConfig, TandemConfig } from '../config/schema.ts';
import type { CycleReport } from '../engine/cycle.ts';
import type { Failpoint } from '../engine/failpoints.ts';
import { Metrics } from '../engine/metrics.ts';
import { SyncRunner } from '../engine/runner.ts';
import { createConnectionRuntime, type ConnectionRuntime, type ConnectorFactory } from '../engine/runtime.ts';
import { PostgresCoordination } from '../engine/workers/coordination.ts';
import { DEFAULT_WORKER_OPTIONS, WorkerPool, type WorkerPoolOptions } from '../engine/workers/worker-pool.ts';
import type { Logger } from '../log/logger.ts';
import { createPostgresPool, openStore, parseStoreUrl } from '../store/index.ts';
import type { StateStore } from '../store/types.ts';
import { systemClock, type Clock } from '../util/clock.ts';

/** What runs cycles continuously: `SyncRunner` alone, or `WorkerPool` with every process on a PostgreSQL store. */
export interface Coordinator {
  start(): void | Promise<void>;
  /** The connection's next cycle now (a webhook arrived). */
  trigger(connection: string): void;
  schedule(): Array<{ connection: string; running: boolean; nextAt: number }>;
  /** Lets the write in flight finish, then ends at a safe point. */
  stop(): Promise<void>;
}

export interface AppDeps {
  logger: Logger;
  /** The open store (any connection's view; the app scopes it to the first connection it runs). */
  store: StateStore;
  clock?: Clock;
  metrics?: Metrics;
  /** The connectors; the HTTP ones unless a test or the bench gives others. */
  connectors?: ConnectorFactory;
  /**
   * The store's pool when the store is PostgreSQL: rate limits are then shared by every process on
   * the database, and `coordinator()` runs cycles with them (lock, queue). Without it, one process.
   */
  pgPool?: pg.Pool;
  /** The connections to run (default: all of the configuration's). */
  connections?: readonly ConnectionConfig[];
}

/** Everything an entry point needs, built once from the configuration. */
export interface App {
  config: TandemConfig;
  /** Scoped to the first connection; cycles scope it themselves, the others use `forConnection`. */
  store: StateStore;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  runtimes: ConnectionRuntime[];
  /** The one coordinator of this app's runtimes; the connectors it runs are `runtimes`' own. */
  coordinator(opts?: {
    onCycle?: (report: CycleReport) => void;
    /** Crash-test hook (TANDEM_FAILPOINT, cli/failpoint.ts); none in normal runs. */
    failpoint?: Failpoint;
    workers?: Partial<WorkerPoolOptions>;
  }): Coordinator;
}

/**
 * The composition root: connectors, runtimes, the coordinator, from one configuration and the
 * dependencies the caller owns (clock, logger, store). Used by the CLI commands, the bench and the
 * tests' World, so that all of them run the same wiring.
 */
export function buildApp(config: TandemConfig, deps: AppDeps): App {
  const clock = deps.clock ?? systemClock;
  const metrics = deps.metrics ?? new Metrics();
  const { logger, pgPool } = deps;
  const connections = deps.connections ?? config.connections;
  const coordination = pgPool ? new PostgresCoordination(pgPool, clock) : undefined;
  const runtimes = connections.map((c) =>
    createConnectionRuntime(c, {
      logger,
      clock,
      metrics,
      ...(deps.connectors ? { connectors: deps.connectors } : {}),
      ...(coordination ? { rateLimiter: (conn, system) => coordination.limiter(conn, system) } : {}),
    }),
  );
  const store = deps.store.forConnection(connections[0]?.name ?? deps.store.connection);
  const engineDeps = { store, logger, metrics, clock };
  return {
    config,
    store,
    logger,
    metrics,
    clock,
    runtimes,
    coordinator: (opts = {}) => {
      const cycleDeps = { ...engineDeps, ...(opts.failpoint ? { failpoint: opts.failpoint } : {}) };
      return coordination
        ? new WorkerPool(
            runtimes,
            coordination,
            { ...DEFAULT_WORKER_OPTIONS, workerId: String(process.pid), ...opts.workers },
            cycleDeps,
            opts.onCycle,
          )
        : new SyncRunner(runtimes, cycleDeps, opts.onCycle);
    },
  };
}

/** An app with the store it opened itself; `close()` closes the store and its pool. */
export interface OpenApp extends App {
  close(): Promise<void>;
}

/**
 * Opens the configuration's store (or `storeUrl`) and builds the app on it. On PostgreSQL the
 * store runs on a pool made here, which the coordinator shares: one pool per process and database.
 */
export async function openApp(
  config: TandemConfig,
  deps: Omit<AppDeps, 'store' | 'pgPool'> & { storeUrl?: string; exclusive?: boolean },
): Promise<OpenApp> {
  const url = deps.storeUrl ?? config.store;
  const location = parseStoreUrl(url);
  const connections = deps.connections ?? config.connections;
  // A session held by each running cycle (its lock), and 8 for the store, the queue and the
  // limiter's takes, which wait their turn: several workers must stay under PostgreSQL's
  // max_connections (100 by default) together.
  const pgPool =
    location.kind === 'postgres' ? createPostgresPool(location.url, 8 + connections.length) : undefined;
  let root: StateStore;
  try {
    root = await openStore(url, {
      exclusive: deps.exclusive ?? false,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(pgPool ? { pgPool } : {}),
    });
  } catch (err) {
    await pgPool?.end().catch(() => undefined);
    throw err;
  }
  const app = buildApp(config, { ...deps, store: root, ...(pgPool ? { pgPool } : {}) });
  return {
    ...app,
    close: async () => {
      await root.close();
      await pgPool?.end();
    },
  };
}
