import type { Logger } from '../log/logger.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import {
  checkWeights,
  planFlow,
  weighPlan,
  weighsFlow,
  type FlowPlan,
  type FlowPlanInput,
  type LinkState,
} from '../core/planner.ts';
import type { RefResolver } from '../core/values.ts';
import type { FlowName, RecordType, RemoteRecord, SystemName } from '../core/types.ts';
import type { QuarantineEntry, StateStore } from '../store/types.ts';
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
import { buildRefs, withPlannedLinks } from './refs.ts';
import { planResolutions } from './resolutions.ts';
import { ReviewState } from './review.ts';
import { planCompanies } from '../core/plan-companies.ts';
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
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        input.customcrm.users = [];
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

/** Open review items a complete cycle did not plan again are over (someone fixed the data). */
async function closeStaleReviews(store: StateStore, reviewed: ReadonlySet<string>): Promise<void> {
  for (const item of await store.listReviewItems({ status: 'open' }))
    if (!reviewed.has(item.key)) await store.closeReviewItem(item.id);
}

async function planOne(
  rt: ConnectionRuntime,
  store: StateStore,
  input: CycleInput,
  flow: FlowName,
  decisions: ReviewState,
  /** In a dry run: the Customer flows' plans, whose links the users flow would see. */
  planned: readonly FlowPlan[] = [],
): Promise<FlowPlan> {
  const flowIn = await flowInput(rt, store, input, flow, decisions);
  return planFlow(planned.length > 0 ? { ...flowIn, refs: withPlannedLinks(flowIn.refs, planned) } : flowIn);
}

async function planCompanyFlows(
  rt: ConnectionRuntime,
  store: StateStore,
  input: CycleInput,
  decisions: ReviewState,
): Promise<{ organizations: FlowPlan; groups: FlowPlan }> {
  return planCompanies({
    organizations: await flowInput(rt, store, input, 'organizations', decisions),
    groups: await flowInput(rt, store, input, 'groups', decisions),
  });
}

async function flowInput(
  rt: ConnectionRuntime,
  store: StateStore,
  input: CycleInput,
  flow: FlowName,
  decisions: ReviewState,
): Promise<FlowPlanInput> {
  const links =
    input.youtrackComplete || input.customcrmComplete
      ? await allLinks(store, flow)
      : await linksOfRecords(store, input, flow);
  let customcrm = input.customcrm[flow];
  if (flow !== 'users') {
    // A Customer claimed by the other Customer flow earlier in this cycle is not this flow's to create.
    const otherFlow = flow === 'groups' ? 'organizations' : 'groups';
    const claimed = new Set<string>();
    for await (const l of store.iterateLinks(otherFlow)) claimed.add(l.crmId);
    customcrm = customcrm.filter((c) => !claimed.has(c.id));
  }
  return {
    flow: rt.mapping.flows[flow],
    policy: rt.policies[flow],
    youtrack: input.youtrack[flow],
    customcrm,
    youtrackComplete: input.youtrackComplete,
    customcrmComplete: input.customcrmComplete,
    links,
    refs: flow === 'users' ? await buildRefs(store) : noRefs,
    youtrackChangedAt: input.youtrackChangedAt,
    ...decisions.forFlow(flow),
  };
}

async function allLinks(store: StateStore, flow: FlowName): Promise<LinkState[]> {
  const links: LinkState[] = [];
  for await (const l of store.iterateLinks(flow)) links.push(l);
  return links;
}

/**
 * The links of the records an incremental read returned. With neither read complete, the planner
 * plans nothing for a link whose records were not read (no deletes from a partial read), so these
 * are all it needs, and an events-feed cycle stays O(changes) instead of loading every link.
 */
async function linksOfRecords(store: StateStore, input: CycleInput, flow: FlowName): Promise<LinkState[]> {
  const byId = new Map<number, LinkState>();
  const add = (l: LinkState | null) => void (l && byId.set(l.id, l));
  for (const r of input.youtrack[flow]) add(await store.findLink({ flow, ytId: r.id }));
  for (const r of input.customcrm[flow]) add(await store.findLink({ flow, crmId: r.id }));
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

const noRefs: RefResolver = { customerForYouTrack: () => undefined, youtrackForCustomer: () => undefined };

async function linkedCounts(store: StateStore): Promise<Record<FlowName, number>> {
  const out: Record<FlowName, number> = { organizations: 0, groups: 0, users: 0 };
  for (const row of await store.countLinks()) if (row.status === 'active') out[row.flow] += row.count;
  return out;
}

/** The parts of a plan the circuit breaker weighs: deletes, deactivations and updates of linked pairs. */
function breakerView(plan: FlowPlan): FlowPlan {
  const actions = plan.actions.filter(
    (a) =>
      a.kind === 'delete' ||
      a.kind === 'deactivate' ||
      a.kind === 'markDeleted' ||
      (a.kind === 'update' && a.linkId !== null),
  );
  return { flow: plan.flow, actions, counts: plan.counts };
}

interface QuarantineKey {
  system: SystemName;
  recordType: RecordType;
  recordId: string;
}

const quarantineKey = (q: QuarantineEntry): QuarantineKey => ({
  system: q.system,
  recordType: q.recordType as RecordType,
  recordId: q.recordId,
});

/** Quarantined records this cycle read again: released after the writes unless rejected again. */
function quarantinedAndRead(quarantined: readonly QuarantineEntry[], input: CycleInput): QuarantineKey[] {
  if (quarantined.length === 0) return [];
  const seen = new Set<string>();
  for (const flow of FLOW_ORDER) {
    for (const r of input.youtrack[flow]) seen.add(`youtrack:${r.type}:${r.id}`);
    for (const r of input.customcrm[flow]) seen.add(`customcrm:${r.type}:${r.id}`);
  }
  return quarantined.filter((q) => seen.has(`${q.system}:${q.recordType}:${q.recordId}`)).map(quarantineKey);
}

async function releaseRecovered(
  store: StateStore,
  recovered: readonly QuarantineKey[],
  rejected: Set<string>,
): Promise<void> {
  for (const q of recovered)
    if (!rejected.has(`${q.system}:${q.recordType}:${q.recordId}`)) await store.releaseQuarantine(q);
}

function observe(
  metrics: Metrics | undefined,
  connection: string,
  status: string,
  ms: number,
  stats: StatsCollector,
  now: number,
): void {
  if (!metrics) return;
  metrics.inc('tandem_cycles_total', 'Sync cycles by outcome', { connection, status });
  metrics.inc('tandem_cycle_seconds_sum', 'Total time spent in cycles', { connection }, ms / 1000);
  for (const [flow, systems] of Object.entries(stats.stats))
    for (const [system, c] of Object.entries(systems)) {
      const labels = { connection, flow, system };
      metrics.inc('tandem_records_read_total', 'Records read per flow and system', labels, c.read);
      metrics.inc(
        'tandem_records_written_total',
        'Records written per flow and system',
        labels,
        c.created + c.updated + c.deleted,
      );
      metrics.inc('tandem_conflicts_total', 'Conflicts per flow', labels, c.conflicts);
    }
  if (status === 'ok')
    metrics.set(
      'tandem_last_success_timestamp_seconds',
      'End of the last successful cycle',
      { connection },
      now / 1000,
    );
}
