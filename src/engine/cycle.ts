import type { Logger } from '../log/logger.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { checkWeights, weighPlan, weighsFlow, type FlowPlan } from '../core/planner.ts';
import type { RemoteRecord } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import { CycleAborted, PlanExecutor } from './executor.ts';
import {
  readChanges,
  readEverything,
  youtrackTypeOf,
  type CycleInput,
  type Progress,
  type Watermarks,
} from './read.ts';
import { recoverPendingWrites } from './recovery.ts';
import { buildRefs } from './refs.ts';
import {
  closeStaleReviews,
  observe,
  quarantineKey,
  quarantinedAndRead,
  releaseRecovered,
} from './cycle-bookkeeping.ts';
import { breakerView, linkedCounts, planCompanyFlows, planOne } from './cycle-plan.ts';
import { planResolutions } from './resolutions.ts';
import { ReviewState } from './review.ts';
import { FLOW_ORDER, type ConnectionRuntime } from './runtime.ts';
import { StatsCollector } from './stats.ts';
import { firstPass, runUsers } from './stream-users.ts';
import type { Metrics } from './metrics.ts';
import { noFailpoint, type Failpoint } from './failpoints.ts';

export interface CycleOptions {
  kind: 'full' | 'incremental';
  /** Plan only: nothing is written to either system or to the store. */
  dryRun?: boolean;
  /** Go past the circuit breaker. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: Progress;
}

export interface CycleReport {
  cycleId: number | null;
  connection: string;
  kind: 'full' | 'incremental';
  status: 'ok' | 'failed' | 'stopped' | 'blocked';
  writes: number;
  stats: StatsCollector['stats'];
  plans?: FlowPlan[];
  message?: string;
}

export interface CycleDeps {
  store: StateStore;
  logger: Logger;
  clock?: Clock;
  metrics?: Metrics;
  /** Called at the named points of a cycle (`failpoints.ts`); the crash tests stop the cycle there. */
  failpoint?: Failpoint;
}

const WM_YOUTRACK = (c: string) => `${c}:youtrack:events`;
const WM_CUSTOMCRM = (c: string) => `${c}:customcrm:modified`;

export { buildRefs };

/**
 * One cycle of one connection: read both sides (all, or what changed since the watermarks), plan
 * every flow, check the circuit breaker before any write, then carry the plans out flow by flow.
 * A full cycle that writes streams the YouTrack users (`stream-users.ts`) instead of holding them.
 * Watermarks advance only when the whole cycle completed.
 */
export async function runCycle(
  rt: ConnectionRuntime,
  deps: CycleDeps,
  opts: CycleOptions,
): Promise<CycleReport> {
  const clock = deps.clock ?? systemClock;
  const failpoint = deps.failpoint ?? noFailpoint;
  // Links, journal and quarantine are per connection: two YouTrack instances may share ids.
  const store = deps.store.forConnection(rt.name);
  const logger = deps.logger.child({ connection: rt.name });
  const stats = new StatsCollector();
  const progress: Progress = (flow, system, n) => {
    stats.add(flow, system, 'read', n);
    opts.onProgress?.(flow, system, n);
  };
  const dry = opts.dryRun ?? false;
  const cycleId = dry ? null : await store.startCycle({ connection: rt.name, kind: opts.kind });
  const report = (status: CycleReport['status'], message?: string, plans?: FlowPlan[]): CycleReport => ({
    cycleId,
    connection: rt.name,
    kind,
    status,
    writes: stats.writes,
    stats: stats.stats,
    ...(plans ? { plans } : {}),
    ...(message ? { message } : {}),
  });
  let kind = opts.kind;
  const started = clock.now();

  try {
    if (!dry) await recoverPendingWrites(rt, store, logger);

    // Watermarks are taken before the read: whatever changes during it is seen again next time.
    const previous: Watermarks = {
      youtrack: await store.getWatermark(WM_YOUTRACK(rt.name)),
      customcrm: await store.getWatermark(WM_CUSTOMCRM(rt.name)),
    };
    let input: CycleInput | null = null;
    // The users flow of a full read is streamed; a dry run returns whole plans, so it holds them.
    let streamed = false;
    let next: Watermarks;
    if (kind === 'incremental' && previous.youtrack !== undefined && previous.customcrm !== undefined) {
      const changes = await readChanges(rt, store, previous, progress, opts.signal);
      if (changes) {
        input = changes.input;
        next = changes.watermarks;
      } else {
        logger.info('a change feed is unavailable; doing a full read');
      }
    }
    if (!input) {
      kind = 'full';
      const ytStart = await rt.youtrack.changesSince(undefined, opts.signal ? { signal: opts.signal } : {});
      next = { youtrack: ytStart.watermark, customcrm: new Date(clock.now()).toISOString() };
      streamed = !dry;
      input = await readEverything(rt, store, progress, opts.signal, !streamed, failpoint);
    }

    // Plan every flow first, so the breaker sees the whole cycle before anything is written.
    // The users plan is re-made after the Customer flows ran, so it keeps just what the breaker
    // weighs: a first sync's creates would otherwise be held twice.
    const decisions = await ReviewState.load(
      rt,
      store,
      input.youtrackComplete ? input.youtrack.groups : undefined,
      input.youtrackComplete && input.customcrmComplete,
    );
    // Organizations and groups are planned together (one company name, one Customer) and carried
    // out as planned; the users flow is re-planned after them, as it refers to their Customers.
    const companies = await planCompanyFlows(rt, store, input, decisions);
    const plans: FlowPlan[] = [companies.organizations, companies.groups];
    const customersChange = plans.some((p) => p.actions.some((a) => a.kind !== 'review'));
    if (!streamed) {
      const users = await planOne(rt, store, input, 'users', decisions, dry ? plans : []);
      plans.push(dry ? users : breakerView(users));
    }
    // Quarantined records read again this cycle are released after the writes, unless rejected again.
    const quarantined = await store.listQuarantine({ status: 'quarantined' });
    // People's choices on conflicts are planned like the flows and carried out first.
    const heldByChoices = new Set<string>();
    const resolutions = await planResolutions(
      rt,
      store,
      logger,
      new Set(
        quarantined.filter((q) => !q.retryRequested).map((q) => `${q.system}:${q.recordType}:${q.recordId}`),
      ),
      heldByChoices,
    );
    const recovered = quarantinedAndRead(quarantined, input);
    const userType = youtrackTypeOf(rt, 'users');
    const quarantinedUsers = new Map(
      quarantined
        .filter((q) => q.system === 'youtrack' && q.recordType === userType)
        .map((q) => [q.recordId, q]),
    );
    const onRead = (r: RemoteRecord) => {
      progress('users', 'youtrack', 1);
      const q = quarantinedUsers.get(r.id);
      if (q) recovered.push(quarantineKey(q));
    };
    const linked = await linkedCounts(store);
    const limits = rt.config.sync.circuitBreaker;
    const weights = plans.map(weighPlan);
    const usersPass = streamed
      ? await firstPass(rt, store, input.customcrm.users, {
          weigh: !opts.force && weighsFlow(linked.users, limits),
          onRead,
          failpoint,
          review: decisions.forFlow('users'),
          linkedContacts: input.linkedContacts,
          ...(opts.signal ? { signal: opts.signal } : {}),
        })
      : {};
    if (usersPass.weights) weights.push(usersPass.weights);
    const breaker = checkWeights(weights, linked, limits);
    if (dry) return report('ok', breaker.ok ? undefined : breaker.message, [...resolutions, ...plans]);
    if (!breaker.ok && !opts.force) {
      logger.error(breaker.message);
      await store.finishCycle(cycleId!, {
        status: 'failed',
        writes: 0,
        stats: stats.stats,
        message: breaker.message,
      });
      return report('blocked', breaker.message);
    }

    const rejected = new Set<string>(heldByChoices);
    const reviewed = new Set<string>();
    const executor = new PlanExecutor({
      reviewed,
      failpoint,
      store,
      connectors: { youtrack: rt.youtrack, customcrm: rt.customcrm },
      stats,
      logger,
      cycleId: cycleId!,
      now: () => new Date(clock.now()).toISOString(),
      ...(opts.signal ? { signal: opts.signal } : {}),
      rejected,
    });
    for (const plan of resolutions) await executor.execute(plan);
    const resolved = resolutions.length;
    // The users plan the first pass kept was made before any write: it holds only if nothing the
    // users flow depends on (Customer links, resolved conflicts) changed since; else it is re-made.
    const usersPlan = customersChange || resolved > 0 ? { ...usersPass, plan: undefined } : usersPass;
    for (const flow of FLOW_ORDER) {
      if (flow === 'users' && streamed) {
        await runUsers(rt, store, executor, input.customcrm.users, usersPlan, {
          onRead,
          failpoint,
          review: decisions.forFlow('users'),
          linkedContacts: input.linkedContacts,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        input.customcrm.users = [];
        input.linkedContacts = undefined;
        continue;
      }
      // Re-planned now: earlier flows may have linked the Customers this one refers to.
      const plan = flow === 'users' ? await planOne(rt, store, input, flow, decisions) : companies[flow];
      // The plan holds all it needs; the records read for this flow can go before the writes start.
      input.youtrack[flow] = [];
      input.customcrm[flow] = [];
      await executor.execute(plan);
    }
    await releaseRecovered(store, recovered, rejected);
    if (input.youtrackComplete && input.customcrmComplete) await closeStaleReviews(store, reviewed);
    if (next!.youtrack !== undefined) await store.setWatermark(WM_YOUTRACK(rt.name), next!.youtrack);
    if (next!.customcrm !== undefined) await store.setWatermark(WM_CUSTOMCRM(rt.name), next!.customcrm);
    await store.finishCycle(cycleId!, { status: 'ok', writes: stats.writes, stats: stats.stats });
    observe(deps.metrics, rt.name, 'ok', clock.now() - started, stats, clock.now());
    return report('ok');
  } catch (err) {
    const stopped = err instanceof CycleAborted && opts.signal?.aborted;
    const message = err instanceof Error ? err.message : String(err);
    if (cycleId !== null)
      await store.finishCycle(cycleId, {
        status: stopped ? 'stopped' : 'failed',
        writes: stats.writes,
        stats: stats.stats,
        message,
      });
    observe(deps.metrics, rt.name, stopped ? 'stopped' : 'failed', clock.now() - started, stats, clock.now());
    if (stopped) return report('stopped', message);
    if (err instanceof CycleAborted) return report('failed', message);
    throw err;
  }
}
