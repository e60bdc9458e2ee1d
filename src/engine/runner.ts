import type { Failpoint } from './failpoints.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { Mutex } from '../store/mutex.ts';
import type { StateStore } from '../store/types.ts';
import { runCycle, type CycleReport } from './cycle.ts';
import type { Metrics } from './metrics.ts';
import type { ConnectionRuntime } from './runtime.ts';

export interface RunnerDeps {
  store: StateStore;
  logger: Logger;
  clock?: Clock;
  metrics?: Metrics;
  failpoint?: Failpoint;
}

interface Loop {
  rt: ConnectionRuntime;
  wake: AbortController;
  done: Promise<void>;
  lastFull: number;
  nextAt: number;
  running: boolean;
  /** A cycle and other work on the connection (an undo from the dashboard) run one at a time. */
  turn: Mutex;
}

/**
 * `tandem run`: one loop per connection. The first cycle reads everything; later ones read the
 * change feeds every `intervalSeconds`, with a full read every `reconcileEverySeconds`. A webhook
 * wakes a loop at once. `stop()` lets the write in flight finish and ends at a safe point.
 */
export class SyncRunner {
  private readonly loops = new Map<string, Loop>();
  private readonly stopping = new AbortController();
  private readonly clock: Clock;

  constructor(
    private readonly runtimes: ConnectionRuntime[],
    private readonly deps: RunnerDeps,
    private readonly onCycle: (report: CycleReport) => void = () => undefined,
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  start(): void {
    for (const rt of this.runtimes) {
      const loop: Loop = {
        rt,
        wake: new AbortController(),
        done: Promise.resolve(),
        lastFull: -Infinity,
        nextAt: 0,
        running: false,
        turn: new Mutex(),
      };
      loop.done = this.loop(loop);
      this.loops.set(rt.name, loop);
    }
  }

  /** Runs the connection's next cycle now (e.g. a webhook arrived). */
  trigger(connection: string): void {
    this.loops.get(connection)?.wake.abort();
  }

  /** When each connection's next cycle is due, for the dashboard. */
  schedule(): Array<{ connection: string; running: boolean; nextAt: number }> {
    return [...this.loops.values()].map((l) => ({
      connection: l.rt.name,
      running: l.running,
      nextAt: l.nextAt,
    }));
  }

  /** Runs `work` between the connection's cycles, never during one (e.g. an undo from the dashboard). */
  exclusive<T>(connection: string, work: () => Promise<T>): Promise<T> {
    const loop = this.loops.get(connection);
    return loop ? loop.turn.run(work) : work();
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('stopping'));
    for (const l of this.loops.values()) l.wake.abort();
    await Promise.all([...this.loops.values()].map((l) => l.done));
  }

  private async loop(loop: Loop): Promise<void> {
    const { rt } = loop;
    const sched = rt.config.schedule;
    while (!this.stopping.signal.aborted) {
      const now = this.clock.now();
      const full = now - loop.lastFull >= sched.reconcileEverySeconds * 1000;
      loop.running = true;
      try {
        const report = await loop.turn.run(() =>
          runCycle(rt, this.deps, { kind: full ? 'full' : 'incremental', signal: this.stopping.signal }),
        );
        if (report.kind === 'full' && report.status === 'ok') loop.lastFull = now;
        this.onCycle(report);
      } catch (err) {
        this.deps.logger.error('cycle failed; it is tried again at the next interval', {
          connection: rt.name,
          error: err instanceof Error ? err.message : String(err),
        });
      } finally {
        loop.running = false;
      }
      if (this.stopping.signal.aborted) break;
      loop.nextAt = this.clock.now() + sched.intervalSeconds * 1000;
      try {
        await this.clock.sleep(sched.intervalSeconds * 1000, loop.wake.signal);
      } catch {
        // Woken early by a webhook or by stop().
      }
      loop.wake = new AbortController();
    }
  }
}
