import type { FlowPlan } from './plan-types.ts';
import type { FlowName } from './types.ts';

/**
 * Stops a cycle that would delete or change more than a share of a flow's linked records: a
 * misconfigured mapping or a half-empty read looks like mass edits, and those are hard to undo.
 */

export interface CircuitBreakerLimits {
  /** 0..1 of the flow's links that may be deleted, deactivated or marked deleted in one cycle. */
  maxDeleteShare: number;
  /** 0..1 of the flow's links that may receive updates in one cycle. */
  maxChangeShare: number;
  /** Flows with fewer links than this are not checked (a handful of edits is not a mass edit). */
  minRecords: number;
}

export type CircuitBreakerResult = { ok: true } | { ok: false; message: string };

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

function verdict(
  flow: FlowName,
  verb: string,
  count: number,
  linked: number,
  limit: number,
  option: string,
): string {
  return (
    `Stopped before writing: the ${flow} flow would ${verb} ${count} of ${linked} linked records ` +
    `(${percent(count / linked)}), above the limit of ${percent(limit)} (${option}). ` +
    'Check the plan with `tandem plan`; if it is intended, run `tandem sync --force` to go past the limit.'
  );
}

/** What the breaker weighs in one flow's plan: distinct links deleted (in any way) and links updated. */
export interface FlowWeights {
  flow: FlowName;
  deletes: number;
  changedLinks: number;
}

/**
 * Weighs a plan, or one batch of a plan: a link's actions all sit in one batch, so the weights of
 * batches add up to the weights of the whole plan.
 */
export function weighPlan(plan: Pick<FlowPlan, 'flow' | 'actions'>): FlowWeights {
  // A record that vanished is counted even when deletes are kept: a read that suddenly comes back
  // empty would otherwise mark every link deleted without tripping the breaker.
  const deletes = new Set(
    plan.actions.flatMap((a) =>
      a.kind === 'delete' || a.kind === 'deactivate' || a.kind === 'markDeleted' ? [a.linkId] : [],
    ),
  ).size;
  const changedLinks = new Set(
    plan.actions.flatMap((a) => (a.kind === 'update' && a.linkId !== null ? [a.linkId] : [])),
  ).size;
  return { flow: plan.flow, deletes, changedLinks };
}

export function checkCircuitBreaker(
  plans: readonly FlowPlan[],
  linkedCounts: Record<FlowName, number>,
  limits: CircuitBreakerLimits,
): CircuitBreakerResult {
  return checkWeights(plans.map(weighPlan), linkedCounts, limits);
}

/** Whether a flow with this many links is weighed at all: a handful of edits is not a mass edit. */
export function weighsFlow(linked: number, limits: CircuitBreakerLimits): boolean {
  return linked > 0 && linked >= limits.minRecords;
}

export function checkWeights(
  weights: readonly FlowWeights[],
  linkedCounts: Record<FlowName, number>,
  limits: CircuitBreakerLimits,
): CircuitBreakerResult {
  const problems: string[] = [];
  for (const { flow, deletes, changedLinks } of weights) {
    const linked = linkedCounts[flow];
    if (!weighsFlow(linked, limits)) continue;
    if (deletes / linked > limits.maxDeleteShare)
      problems.push(
        verdict(
          flow,
          'delete, deactivate or mark deleted',
          deletes,
          linked,
          limits.maxDeleteShare,
          'maxDeleteShare',
        ),
      );
    if (changedLinks / linked > limits.maxChangeShare)
      problems.push(verdict(flow, 'change', changedLinks, linked, limits.maxChangeShare, 'maxChangeShare'));
  }
  return problems.length === 0 ? { ok: true } : { ok: false, message: problems.join('\n') };
}
