import type { Logger } from '../log/logger.ts';
import { planResolution } from '../core/plan-resolution.ts';
import { countActions, type FlowPlan, type PlanAction } from '../core/planner.ts';
import type { Conflict, StateStore } from '../store/types.ts';
import type { FlowName } from '../core/types.ts';
import type { ConnectionRuntime } from './runtime.ts';

/**
 * The choices people made on conflicts, planned as ordinary actions (`core/plan-resolution.ts`)
 * and carried out by the one executor: "keep the winner" only closes the choice; "apply the loser"
 * writes the losing value where it is missing. A choice whose record is quarantined waits until
 * the record is retried, so a refused write is reported once, in review, instead of every cycle.
 * Reads only; nothing is written here.
 */
export async function planResolutions(
  rt: ConnectionRuntime,
  store: StateStore,
  logger: Logger,
  /** `system:type:id` of quarantined records no retry was asked for. */
  quarantined: ReadonlySet<string>,
  /** Receives the quarantined records a pending choice waits on. */
  held: Set<string>,
): Promise<FlowPlan[]> {
  const byFlow = new Map<FlowName, PlanAction[]>();
  const add = (flow: FlowName, actions: PlanAction[]) =>
    byFlow.set(flow, [...(byFlow.get(flow) ?? []), ...actions]);
  for (const conflict of await store.pendingResolutions()) {
    const link = await store.getLink(conflict.linkId);
    const close = (c: Conflict): PlanAction => ({
      kind: 'resolved',
      conflictId: c.id,
      ytId: link?.ytId ?? '',
      crmId: link?.crmId ?? '',
    });
    const row = link ? rt.mapping.flows[link.flow].rows.find((r) => r.name === conflict.property) : undefined;
    if (!link || !row || conflict.status === 'kept' || row.transform === 'reference') {
      add(conflict.flow, [close(conflict)]);
      continue;
    }
    const keys = [`youtrack:${link.ytType}:${link.ytId}`, `customcrm:${link.crmType}:${link.crmId}`];
    const waiting = keys.filter((k) => quarantined.has(k));
    if (waiting.length > 0) {
      // Kept in quarantine (not released by being read again) until a person asks for a retry.
      for (const k of waiting) held.add(k);
      continue;
    }
    const [yt, crm] = await Promise.all([
      rt.youtrack.read(link.ytType, link.ytId),
      rt.customcrm.read(link.crmType, link.crmId),
    ]);
    if (!yt || !crm) {
      logger.warn('conflict resolution skipped: a record no longer exists', { conflict: conflict.id });
      add(link.flow, [close(conflict)]);
      continue;
    }
    add(
      link.flow,
      planResolution(
        conflict.id,
        row,
        {
          linkId: link.id,
          ytType: link.ytType,
          ytId: link.ytId,
          crmType: link.crmType,
          crmId: link.crmId,
          base: link.base,
        },
        yt,
        crm,
        conflict.loserValue,
      ),
    );
  }
  return [...byFlow].map(([flow, actions]) => ({ flow, actions, counts: countActions(actions) }));
}
