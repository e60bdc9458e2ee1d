import type { RefResolver } from '../core/mapping.ts';
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
