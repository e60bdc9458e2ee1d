import { defaultMapping } from './mapping.ts';
import { planFlow } from './planner.ts';
import {
  defaultPolicy,
  type FlowPlan,
  type FlowPlanInput,
  type FlowPolicy,
  type LinkState,
} from './plan-types.ts';
import type { FlowName, Props, RemoteRecord, SystemName } from './types.ts';
import type { ContainerType, RefResolver } from './values.ts';

/**
 * Test support for the core: record builders, a fixed resolver, and a World that applies a plan
 * to plain objects the way the engine would apply it to the two systems and the store.
 */

export function ytRecord(type: RemoteRecord['type'], id: string, props: Props): RemoteRecord {
  return { system: 'youtrack', type, id, props, hash: '' };
}

export function crmRecord(
  type: RemoteRecord['type'],
  id: string,
  props: Props,
  updatedAt?: string,
): RemoteRecord {
  return { system: 'customcrm', type, id, props, hash: '', ...(updatedAt ? { updatedAt } : {}) };
}

export function ytUser(id: string, props: Partial<Record<string, Props[string]>> = {}): RemoteRecord {
  return ytRecord('User', id, {
    login: id,
    fullName: 'Ada Lovelace',
    email: `${id}@example.com`,
    banned: false,
    organizations: [],
    groups: [],
    ...(props as Props),
  });
}

export function contact(
  id: string,
  props: Partial<Record<string, Props[string]>> = {},
  updatedAt?: string,
): RemoteRecord {
  return crmRecord(
    'Contact',
    id,
    { FirstName: 'Ada', LastName: 'Lovelace', Email: `${id}@example.com`, ...(props as Props) },
    updatedAt,
  );
}

export interface RefLink {
  customerId: string;
  type: ContainerType;
  id: string;
}

export function fixedRefs(links: readonly RefLink[]): RefResolver {
  return {
    customerForYouTrack: (type, id) => links.find((l) => l.type === type && l.id === id)?.customerId,
    youtrackForCustomer: (customerId) => {
      const l = links.find((x) => x.customerId === customerId);
      return l ? { type: l.type, id: l.id } : undefined;
    },
  };
}

const statusAfter = (status: LinkState['status'], side: SystemName): LinkState['status'] => {
  const other = side === 'youtrack' ? 'customcrm-deleted' : 'youtrack-deleted';
  return status === other || status === 'both-deleted' ? 'both-deleted' : `${side}-deleted`;
};

/** Both systems and the link table of one flow, as plain maps. */
export class World {
  readonly yt = new Map<string, RemoteRecord>();
  readonly crm = new Map<string, RemoteRecord>();
  links: LinkState[] = [];
  private nextId = 1;

  constructor(
    readonly flow: FlowName,
    readonly refs: RefResolver = fixedRefs([]),
    public policy: FlowPolicy = defaultPolicy(flow),
  ) {}

  add(...records: RemoteRecord[]): this {
    for (const r of records) (r.system === 'youtrack' ? this.yt : this.crm).set(r.id, r);
    return this;
  }

  input(extra: Partial<FlowPlanInput> = {}): FlowPlanInput {
    return {
      flow: defaultMapping.flows[this.flow],
      policy: this.policy,
      youtrack: [...this.yt.values()],
      customcrm: [...this.crm.values()],
      youtrackComplete: true,
      customcrmComplete: true,
      links: this.links.map((l) => ({ ...l })),
      refs: this.refs,
      ...extra,
    };
  }

  plan(extra: Partial<FlowPlanInput> = {}): FlowPlan {
    return planFlow(this.input(extra));
  }

  private findLink(linkId: number | null, ytId: string, crmId: string): LinkState {
    const link = this.links.find((l) =>
      linkId !== null ? l.id === linkId : l.ytId === ytId && l.crmId === crmId,
    );
    if (!link) throw new Error(`no link ${linkId ?? `${ytId}/${crmId}`}`);
    return link;
  }

  apply(plan: FlowPlan): this {
    for (const a of plan.actions) {
      if (a.kind === 'create') {
        const id = `${a.target}-${this.nextId++}`;
        const type = a.type;
        this.add(a.target === 'youtrack' ? ytRecord(type, id, a.props) : crmRecord(type, id, a.props));
        const [ytId, crmId] = a.target === 'youtrack' ? [id, a.sourceId] : [a.sourceId, id];
        const origin = a.target === 'youtrack' ? 'created-in-youtrack' : 'created-in-customcrm';
        this.links.push({ id: this.nextId++, ytId, crmId, status: 'active', base: a.base, origin });
      } else if (a.kind === 'link') {
        this.links.push({
          id: this.nextId++,
          ytId: a.ytId,
          crmId: a.crmId,
          status: 'active',
          base: a.base,
          origin: 'merged',
        });
      } else if (a.kind === 'update') {
        const map = a.target === 'youtrack' ? this.yt : this.crm;
        const r = map.get(a.id);
        if (!r) throw new Error(`update of missing ${a.id}`);
        map.set(a.id, { ...r, props: { ...r.props, ...a.patch } });
      } else if (a.kind === 'setBase') {
        this.findLink(a.linkId, a.ytId, a.crmId).base = a.base;
      } else if (a.kind === 'markDeleted') {
        const link = this.findLink(a.linkId, '', '');
        link.status = statusAfter(link.status, a.side);
      } else if (a.kind === 'delete') {
        (a.target === 'youtrack' ? this.yt : this.crm).delete(a.id);
      } else if (a.kind === 'deactivate') {
        const r = this.crm.get(a.id);
        if (r) this.crm.set(a.id, { ...r, props: { ...r.props, Active: false } });
      }
    }
    return this;
  }
}
