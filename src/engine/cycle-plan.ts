import { planFlow, type FlowPlan, type FlowPlanInput, type LinkState } from '../core/planner.ts';
import type { RefResolver } from '../core/values.ts';
import { planCompanies } from '../core/plan-companies.ts';
import type { FlowName } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import type { CycleInput } from './read.ts';
import { buildRefs, withPlannedLinks } from './refs.ts';
import type { ReviewState } from './review.ts';
import type { ConnectionRuntime } from './runtime.ts';

/** The planning half of a cycle (`runCycle`): each flow's input from what was read and the store. */

export async function planOne(
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

export async function planCompanyFlows(
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

export async function linkedCounts(store: StateStore): Promise<Record<FlowName, number>> {
  const out: Record<FlowName, number> = { organizations: 0, groups: 0, users: 0 };
  for (const row of await store.countLinks()) if (row.status === 'active') out[row.flow] += row.count;
  return out;
}

/** The parts of a plan the circuit breaker weighs: deletes, deactivations and updates of linked pairs. */
export function breakerView(plan: FlowPlan): FlowPlan {
  const actions = plan.actions.filter(
    (a) =>
      a.kind === 'delete' ||
      a.kind === 'deactivate' ||
      a.kind === 'markDeleted' ||
      (a.kind === 'update' && a.linkId !== null),
  );
  return { flow: plan.flow, actions, counts: plan.counts };
}
