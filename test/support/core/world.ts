import { defaultMapping } from '../../../src/core/mapping.ts';
import { planFlow } from '../../../src/core/planner.ts';
import {
  defaultPolicy,
  type FlowPlan,
  type FlowPlanInput,
  type FlowPolicy,
  type LinkState,
  type PlanAction,
} from '../../../src/core/plan-types.ts';
import {
  effectsOf,
  statusAfterDelete,
  type Answer,
  type ChangeSet,
  type LinkRef,
} from '../../../src/core/effects.ts';
import type { FlowName, Props, RemoteRecord, SystemName } from '../../../src/core/types.ts';
import type { ContainerType, RefResolver } from '../../../src/core/values.ts';

/**
 * Test support for the core: record builders, a fixed resolver, and a World that applies a plan
 * to plain objects, its state changes through the engine's own `effectsOf`.
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

/** Both systems and the link table of one flow, as plain maps. */
export class World {
  readonly yt = new Map<string, RemoteRecord>();
  readonly crm = new Map<string, RemoteRecord>();
  links: LinkState[] = [];
  /** Every change set applied, in order: the history, conflicts and quarantine the product would store. */
  readonly applied: ChangeSet[] = [];
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

  /**
   * Carries out a plan: the remote writes on the two maps (the connectors' part), and what each
   * action does to the links through `effectsOf`, the executor's own meaning of the action.
   */
  apply(plan: FlowPlan): this {
    const ctx = { flow: this.flow, cycleId: null, at: '2026-01-01T00:00:00.000Z' };
    for (const a of plan.actions) {
      const changes = effectsOf(ctx, a, this.write(a));
      this.applied.push(changes);
      this.applyChanges(changes);
    }
    return this;
  }

  /** The remote side of an action: what a connector would write, and its answer. */
  private write(a: PlanAction): Answer {
    const map = (s: SystemName) => (s === 'youtrack' ? this.yt : this.crm);
    if (a.kind === 'create') {
      const id = `${a.target}-${this.nextId++}`;
      this.add(a.target === 'youtrack' ? ytRecord(a.type, id, a.props) : crmRecord(a.type, id, a.props));
      return { kind: 'created', record: { id, hash: '' }, journalId: 0 };
    }
    if (a.kind === 'update' || a.kind === 'deactivate') {
      const r = map(a.target).get(a.id);
      if (!r) throw new Error(`${a.kind} of missing ${a.id}`);
      map(a.target).set(a.id, { ...r, props: { ...r.props, ...a.patch } });
    } else if (a.kind === 'delete') map(a.target).delete(a.id);
    return undefined;
  }

  private findLink(ref: LinkRef): LinkState {
    const link = this.links.find((l) =>
      ref.linkId !== null ? l.id === ref.linkId : l.ytId === ref.ytId && l.crmId === ref.crmId,
    );
    if (!link) throw new Error(`no link ${ref.linkId ?? `${ref.ytId}/${ref.crmId}`}`);
    return link;
  }

  private applyChanges(changes: ChangeSet): void {
    for (const { row } of changes.links)
      this.links.push({
        id: this.nextId++,
        ytId: row.ytId,
        crmId: row.crmId,
        status: row.status,
        base: row.base,
        origin: row.origin,
      });
    for (const { link, patch } of changes.linkPatches) if (patch.base) this.findLink(link).base = patch.base;
    for (const { linkId, side } of changes.deleted) {
      const link = this.findLink({ linkId, ytId: '', crmId: '' });
      link.status = statusAfterDelete(link.status, side);
    }
  }
}
