import type { Logger } from '../log/logger.ts';
import { planUndo, type UndoEntry } from '../core/plan-undo.ts';
import { countActions, type FlowPlan, type PlanAction } from '../core/planner.ts';
import type { FlowName } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import type { Failpoint } from './failpoints.ts';
import { PlanExecutor } from './executor.ts';
import { buildRefs } from './refs.ts';
import type { ConnectionRuntime } from './runtime.ts';
import { StatsCollector } from './stats.ts';

/**
 * `tandem undo CYCLE` (issue 14): the cycle's writes, read back from the history, reverted on both
 * sides as a planned cycle run by the one executor (`core/plan-undo.ts` plans each link). Users
 * first, then groups and organizations: a Contact goes back to its old company before a Customer
 * the cycle created is deleted.
 */

const ORDER: readonly FlowName[] = ['users', 'groups', 'organizations'];
const MAX_ROWS = 1_000_000;

export interface UndoReport {
  undone: number;
  cycleId: number | null;
  plans: FlowPlan[];
  writes: number;
  stats: StatsCollector['stats'];
}

export async function undoCycle(
  rt: ConnectionRuntime,
  deps: { store: StateStore; logger: Logger; clock?: Clock; failpoint?: Failpoint },
  undone: number,
  opts: { dryRun?: boolean } = {},
): Promise<UndoReport> {
  const store = deps.store.forConnection(rt.name);
  const clock = deps.clock ?? systemClock;
  const history = (await store.listHistory({ cycleId: undone, limit: MAX_ROWS })).reverse();
  const byLink = new Map<number, UndoEntry[]>();
  for (const h of history) if (h.linkId !== null) byLink.set(h.linkId, [...(byLink.get(h.linkId) ?? []), h]);
  const refs = await buildRefs(store);
  const actions = new Map<FlowName, PlanAction[]>();
  for (const [linkId, entries] of byLink) {
    const link = await store.getLink(linkId);
    if (!link) continue;
    const [youtrack, customcrm] = await Promise.all([
      rt.youtrack.read(link.ytType, link.ytId),
      rt.customcrm.read(link.crmType, link.crmId),
    ]);
    const planned = planUndo({
      rows: rt.mapping.flows[link.flow].rows,
      types: { youtrack: link.ytType, customcrm: link.crmType },
      link,
      entries,
      youtrack,
      customcrm,
      refs,
      deletes: rt.policies[link.flow].deletes,
      cycleId: undone,
    });
    actions.set(link.flow, [...(actions.get(link.flow) ?? []), ...planned]);
  }
  const plans = ORDER.flatMap((flow) => {
    const a = actions.get(flow) ?? [];
    return a.length > 0 ? [{ flow, actions: a, counts: countActions(a) }] : [];
  });
  const stats = new StatsCollector();
  if (opts.dryRun) return { undone, cycleId: null, plans, writes: 0, stats: stats.stats };

  const cycleId = await store.startCycle({ connection: rt.name, kind: 'full' });
  const executor = new PlanExecutor({
    store,
    connectors: { youtrack: rt.youtrack, customcrm: rt.customcrm },
    stats,
    logger: deps.logger.child({ connection: rt.name, undo: undone }),
    cycleId,
    now: () => new Date(clock.now()).toISOString(),
    rejected: new Set(),
    ...(deps.failpoint ? { failpoint: deps.failpoint } : {}),
  });
  try {
    for (const plan of plans) await executor.execute(plan);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await store.finishCycle(cycleId, { status: 'failed', writes: stats.writes, stats: stats.stats, message });
    throw err;
  }
  await store.finishCycle(cycleId, {
    status: 'ok',
    writes: stats.writes,
    stats: stats.stats,
    message: `undo of cycle ${undone}`,
  });
  return { undone, cycleId, plans, writes: stats.writes, stats: stats.stats };
}
