import type { RefResolver } from '../core/values.ts';
import type { FlowPlan } from '../core/plan-types.ts';
import type { StateStore } from '../store/types.ts';

/** Which Customer stands for which organization or group, from the links of the Customer flows. */
export async function buildRefs(store: StateStore): Promise<RefResolver> {
  const byYouTrack = new Map<string, string>();
  const byCustomer = new Map<string, { type: 'Organization' | 'Group'; id: string }>();
  for (const flow of ['organizations', 'groups'] as const) {
    const type = flow === 'organizations' ? 'Organization' : 'Group';
    for await (const l of store.iterateLinks(flow)) {
      if (l.status !== 'active') continue;
      byYouTrack.set(`${type}:${l.ytId}`, l.crmId);
      byCustomer.set(l.crmId, { type, id: l.ytId });
    }
  }
  return {
    customerForYouTrack: (type, id) => byYouTrack.get(`${type}:${id}`),
    youtrackForCustomer: (id) => byCustomer.get(id),
  };
}

/**
 * The refs a cycle's users flow will see once the Customer flows' plans ran: a dry run (`tandem
 * plan`) plans the users before anything is linked, so the links those plans make are laid over
 * the stored ones; a record the plan creates is named by its origin (its id is not known before it
is made), so the users plan shows the same company changes the sync makes.
 */
export function withPlannedLinks(refs: RefResolver, plans: readonly FlowPlan[]): RefResolver {
  const byYouTrack = new Map<string, string>();
  const byCustomer = new Map<string, { type: 'Organization' | 'Group'; id: string }>();
  for (const plan of plans) {
    if (plan.flow === 'users') continue;
    const type = plan.flow === 'organizations' ? 'Organization' : 'Group';
    for (const a of plan.actions)
      if (a.kind === 'link') {
        byYouTrack.set(`${type}:${a.ytId}`, a.crmId);
        byCustomer.set(a.crmId, { type, id: a.ytId });
      } else if (a.kind === 'create' && a.target === 'customcrm') {
        // Its id is the CRM's to give: the plan names it by its origin.
        byYouTrack.set(`${type}:${a.sourceId}`, `(new Customer of ${type} ${a.sourceId})`);
      } else if (a.kind === 'create' && a.target === 'youtrack') {
        const id = `(new ${type} of Customer ${a.sourceId})`;
        byCustomer.set(a.sourceId, { type, id });
        byYouTrack.set(`${type}:${id}`, a.sourceId);
      }
  }
  return {
    customerForYouTrack: (type, id) => byYouTrack.get(`${type}:${id}`) ?? refs.customerForYouTrack(type, id),
    youtrackForCustomer: (id) => byCustomer.get(id) ?? refs.youtrackForCustomer(id),
  };
}
