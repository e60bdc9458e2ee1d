import type PgBoss from 'pg-boss';
import type { Logger } from '../../log/logger.ts';
import type { StateStore } from '../../store/types.ts';
import { systemClock, type Clock } from '../../util/clock.ts';
import { runCycle, type CycleReport } from '../cycle.ts';
import type { Metrics } from '../metrics.ts';
import type { ConnectionRuntime } from '../runtime.ts';
import type { PostgresCoordination } from './coordination.ts';
import { cycleQueueName as queueName, ensureCycleQueue } from './cycle-queue.ts';

export interface WorkerPoolOptions {
  /**
   * A job still active this long is taken to be dead and retried elsewhere (pg-boss expiry). A
   * cycle that really runs longer keeps its connection locked, so the retry only skips.
   */
  jobExpireSeconds: number;
  /** How often the expiry check runs, in seconds (pg-boss maintenance). */
  maintenanceSeconds: number;
  /** How often an idle worker asks for a job, in seconds. */
  pollSeconds: number;
  /** Names this worker in logs. */
  workerId: string;
}

export const DEFAULT_WORKER_OPTIONS = { jobExpireSeconds: 300, maintenanceSeconds: 30, pollSeconds: 2 };

export interface WorkerPoolDeps {
  store: StateStore;
  logger: Logger;
  clock?: Clock;
  metrics?: Metrics;
}

interface CycleJob {
  reason: 'schedule' | 'webhook' | 'retry';
}

interface Schedule {
  rt: ConnectionRuntime;
  wake: AbortController;
  done: Promise<void>;
  nextAt: number;
  running: boolean;
}

const lastFullKey = (connection: string) => `${connection}:last-full`;

/**
 * `tandem run` on a PostgreSQL store: every worker started against the same database shares the
 * cycles of all connections. A cycle is a pg-boss job on the connection's own `stately` queue
 * (at most one waiting and one active job per connection), and runs only under the connection's
 * advisory lock. Each worker enqueues its connections' cycles on their schedule; the queue
 * drops the copies. Same surface as `SyncRunner` (start, trigger, schedule, stop).
 */
export class WorkerPool {
  private readonly boss: PgBoss;
  private readonly clock: Clock;
  private readonly schedules = new Map<string, Schedule>();
  private readonly stopping = new AbortController();

  /**
   * Runs the app's own runtimes (the connectors `startService` verified, their rate limits shared
   * through `coordination`); the queue and the locks live on the store's pool, which the app ends.
   */
  constructor(
    private readonly runtimes: readonly ConnectionRuntime[],
    private readonly coordination: PostgresCoordination,
    private readonly opts: WorkerPoolOptions,
    private readonly deps: WorkerPoolDeps,
    private readonly onCycle: (report: CycleReport) => void = () => undefined,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.boss = coordination.queue({ maintenanceSeconds: opts.maintenanceSeconds });
    this.boss.on('error', (err: Error) =>
      deps.logger.warn('job queue error; retrying', { worker: opts.workerId, error: err.message }),
    );
  }

  async start(): Promise<void> {
    await this.coordination.prepareLimits();
    await this.boss.start();
    for (const rt of this.runtimes) {
      const name = queueName(rt.name);
      await ensureCycleQueue(this.boss, this.coordination.pool, name, this.opts.jobExpireSeconds);
      await this.boss.work<CycleJob>(
        name,
        { batchSize: 1, pollingIntervalSeconds: this.opts.pollSeconds },
        async ([job]) => (job ? this.runJob(rt, job) : undefined),
      );
      const s: Schedule = {
        rt,
        wake: new AbortController(),
        done: Promise.resolve(),
        nextAt: 0,
        running: false,
      };
      s.done = this.scheduleLoop(s);
      this.schedules.set(rt.name, s);
    }
  }

  /** Enqueues a cycle of the connection now (a webhook arrived); any worker may run it. */
  trigger(connection: string): void {
    if (!this.schedules.has(connection)) return;
    this.enqueue(connection, 'webhook').catch((err: unknown) => this.enqueueFailed(connection, err));
  }

  schedule(): Array<{ connection: string; running: boolean; nextAt: number }> {
    return [...this.schedules.values()].map((s) => ({
      connection: s.rt.name,
      running: s.running,
      nextAt: s.nextAt,
    }));
  }

  /** Stops taking jobs, lets the cycles in flight finish at a safe point, then closes. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('stopping'));
    for (const s of this.schedules.values()) s.wake.abort();
    await Promise.all([...this.schedules.values()].map((s) => s.done));
    await this.boss.stop({ graceful: true, wait: true, timeout: 30_000 });
  }

  private async enqueue(connection: string, reason: CycleJob['reason']): Promise<void> {
    await this.boss.send(queueName(connection), { reason });
  }

  private enqueueFailed(connection: string, err: unknown): void {
    this.deps.logger.warn('could not enqueue a cycle; the next interval tries again', {
      connection,
      worker: this.opts.workerId,
      error: err instanceof Error ? err.message : String(err),
    });
  }

  private async scheduleLoop(s: Schedule): Promise<void> {
    const interval = s.rt.config.schedule.intervalSeconds * 1000;
    while (!this.stopping.signal.aborted) {
      await this.enqueue(s.rt.name, 'schedule').catch((err: unknown) => this.enqueueFailed(s.rt.name, err));
      s.nextAt = this.clock.now() + interval;
      try {
        await this.clock.sleep(interval, s.wake.signal);
      } catch {
        // Woken by stop().
      }
    }
  }

  private async runJob(rt: ConnectionRuntime, job: PgBoss.Job<CycleJob>): Promise<{ ran: boolean }> {
    const log = { connection: rt.name, worker: this.opts.workerId, job: job.id };
    if (this.stopping.signal.aborted) throw new Error('worker stopping; the job goes back to the queue');
    const lock = await this.coordination.lock(rt.name);
    if (!lock) {
      // Only after an expiry: the cycle that timed out is still running elsewhere.
      this.deps.logger.info('connection busy in another worker; job skipped', log);
      return { ran: false };
    }
    const schedule = this.schedules.get(rt.name);
    if (schedule) schedule.running = true;
    try {
      const store = this.deps.store;
      const now = this.clock.now();
      const lastFull = await store.getWatermark(lastFullKey(rt.name));
      const reconcile = rt.config.schedule.reconcileEverySeconds * 1000;
      const full = lastFull === undefined || now - Date.parse(lastFull) >= reconcile;
      this.deps.logger.info('cycle started', { ...log, kind: full ? 'full' : 'incremental' });
      const report = await runCycle(rt, this.deps, {
        kind: full ? 'full' : 'incremental',
        signal: AbortSignal.any([this.stopping.signal, lock.lost]),
      });
      if (report.kind === 'full' && report.status === 'ok')
        await store.setWatermark(lastFullKey(rt.name), new Date(now).toISOString());
      this.deps.logger.info('cycle ended', { ...log, status: report.status, writes: report.writes });
      this.onCycle(report);
      return { ran: true };
    } finally {
      if (schedule) schedule.running = false;
      await lock.release();
    }
  }
}
