import type { FlowName, RecordType, RemoteRecord } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import type { ConnectionRuntime } from './runtime.ts';
import { FLOW_ORDER } from './runtime.ts';
import { noFailpoint, type Failpoint } from './failpoints.ts';
import { PackedRecords } from './packed-records.ts';

/** What one cycle read from both sides, per flow, and whether each read was complete. */
export interface CycleInput {
  youtrack: Record<FlowName, RemoteRecord[]>;
  customcrm: Record<FlowName, RemoteRecord[]>;
  youtrackComplete: boolean;
  customcrmComplete: boolean;
  /** Time of the last YouTrack change per record id, from the events feed. */
  youtrackChangedAt: Record<string, string>;
  /**
   * A streamed full read: the contacts of stored users links, packed (`customcrm.users` holds
   * the others). The streamed users flow looks them up by id as each batch is planned.
   */
  linkedContacts?: PackedRecords | undefined;
}

export async function collect(
  iter: AsyncIterable<RemoteRecord>,
  onRecord?: () => void,
  failpoint: Failpoint = noFailpoint,
): Promise<RemoteRecord[]> {
  const out: RemoteRecord[] = [];
  for await (const r of iter) {
    out.push(r);
    onRecord?.();
    failpoint('after-read');
  }
  return out;
}

/** Customer ids linked in each Customer flow. */
async function customerOwners(store: StateStore): Promise<Map<string, FlowName>> {
  const owner = new Map<string, FlowName>();
  for (const flow of ['organizations', 'groups'] as const)
    for await (const link of store.iterateLinks(flow)) owner.set(link.crmId, flow);
  return owner;
}

/**
 * Customers are one datatype in the CRM but belong to two flows: each linked Customer goes to the
 * flow of its link (so it is written back to the datatype it came from); an unlinked one goes to
 * the groups flow (a new Customer creates a group) and to the organizations flow, which may claim
 * it (by the origin Tandem wrote on it, or by name when that is on); both are planned together.
 */
export async function splitCustomers(
  rt: ConnectionRuntime,
  store: StateStore,
  customers: RemoteRecord[],
): Promise<{ organizations: RemoteRecord[]; groups: RemoteRecord[] }> {
  const owner = await customerOwners(store);
  const organizations: RemoteRecord[] = [];
  const groups: RemoteRecord[] = [];
  for (const c of customers) {
    const flow = owner.get(c.id);
    if (flow === 'organizations') organizations.push(c);
    else if (flow === 'groups') groups.push(c);
    else {
      // Both flows see it: an organization may claim it (by its origin, or by name when that is on).
      groups.push(c);
      organizations.push(c);
    }
  }
  return { organizations, groups };
}

export function youtrackTypeOf(rt: ConnectionRuntime, flow: FlowName): RecordType {
  return rt.mapping.flows[flow].youtrackType;
}

export type Progress = (flow: FlowName, system: 'youtrack' | 'customcrm', count: number) => void;

export async function readEverything(
  rt: ConnectionRuntime,
  store: StateStore,
  progress: Progress,
  signal?: AbortSignal,
  /** false: YouTrack users are left out here; the cycle streams them (`stream-users.ts`). */
  youtrackUsers = true,
  failpoint: Failpoint = noFailpoint,
): Promise<CycleInput> {
  const opts = signal ? { signal } : {};
  const yt = {} as Record<FlowName, RemoteRecord[]>;
  for (const flow of FLOW_ORDER) {
    if (flow === 'users' && !youtrackUsers) {
      yt[flow] = [];
      continue;
    }
    yt[flow] = await collect(
      rt.youtrack.readAll(youtrackTypeOf(rt, flow), opts),
      () => progress(flow, 'youtrack', 1),
      failpoint,
    );
  }
  const customers = await collect(rt.customcrm.readAll('Customer', opts), undefined, failpoint);
  const contacts: RemoteRecord[] = [];
  // Streamed: the linked contacts are packed as they are read, never held whole as objects.
  const linked = youtrackUsers ? undefined : await linkedCrmIds(store);
  const packed = linked ? new PackedRecords() : undefined;
  for await (const r of rt.customcrm.readAll('Contact', opts)) {
    if (packed && linked?.has(r.id)) packed.add(r);
    else contacts.push(r);
    progress('users', 'customcrm', 1);
    failpoint('after-read');
  }
  const split = await splitCustomers(rt, store, customers);
  progress('organizations', 'customcrm', split.organizations.length);
  progress('groups', 'customcrm', split.groups.length);
  return {
    youtrack: yt,
    customcrm: { organizations: split.organizations, groups: split.groups, users: contacts },
    youtrackComplete: true,
    customcrmComplete: true,
    youtrackChangedAt: {},
    ...(packed ? { linkedContacts: packed } : {}),
  };
}

/** Customcrm ids of every stored users link, whatever its status (`StreamPlanInput.linkedCrm`). */
export async function linkedCrmIds(store: StateStore): Promise<Set<string>> {
  const ids = new Set<string>();
  for await (const l of store.iterateLinks('users')) ids.add(l.crmId);
  return ids;
}

/**
 * Whether a changed record is exactly as Tandem last wrote or read it for its link (the hash the
 * link keeps of that side). The change feeds list Tandem's own writes too: after a first sync the
 * CRM's `modifiedSince` lists every record it created, and reading each one's YouTrack
 * counterpart, one call at a time, made the first events-feed cycle after a first sync take a
 * minute at 1,000 users (the freshness bench's misses, issue 16). Such a side has nothing new to
 * plan; a change on the other side comes through that side's own feed, which reads this one.
 */
function isEcho(link: { ytHash: string | null; crmHash: string | null } | null, r: RemoteRecord): boolean {
  if (!link) return false;
  const hash = r.system === 'youtrack' ? link.ytHash : link.crmHash;
  return hash !== null && hash === r.hash;
}

export interface Watermarks {
  youtrack: string | undefined;
  customcrm: string | undefined;
}

/**
 * An incremental read: the records each side reports as changed since its watermark, plus the
 * linked counterpart of each, so the planner sees both halves of every pair it must merge.
 * Returns null when a feed cannot be read and a full read is needed instead.
 */
export async function readChanges(
  rt: ConnectionRuntime,
  store: StateStore,
  since: Watermarks,
  progress: Progress,
  signal?: AbortSignal,
): Promise<{ input: CycleInput; watermarks: Watermarks } | null> {
  const opts = signal ? { signal } : {};
  const ytBatch = await rt.youtrack.changesSince(since.youtrack, opts);
  const crmBatch = await rt.customcrm.changesSince(since.customcrm, opts);
  if (!ytBatch.complete || !crmBatch.complete) return null;

  const yt = { organizations: new Map(), groups: new Map(), users: new Map() } as Record<
    FlowName,
    Map<string, RemoteRecord>
  >;
  const crm = { organizations: new Map(), groups: new Map(), users: new Map() } as Record<
    FlowName,
    Map<string, RemoteRecord>
  >;
  const changedAt: Record<string, string> = {};
  const flowOfYouTrackType = new Map(FLOW_ORDER.map((f) => [youtrackTypeOf(rt, f), f] as const));

  for (const change of ytBatch.changes) {
    const flow = flowOfYouTrackType.get(change.type);
    if (!flow || change.op === 'delete') continue;
    if (change.at) changedAt[change.id] = change.at;
    const record = change.record ?? (await rt.youtrack.read(change.type, change.id));
    if (!record) continue;
    const link = await store.findLink({ flow, ytId: record.id });
    // As Tandem last wrote or saw it: an echo of its own write, nothing to plan (see isEcho).
    if (isEcho(link, record)) continue;
    yt[flow].set(record.id, record);
    progress(flow, 'youtrack', 1);
    if (link && !crm[flow].has(link.crmId)) {
      const other = await rt.customcrm.read(link.crmType, link.crmId);
      if (other) crm[flow].set(other.id, other);
    }
  }

  const customers: RemoteRecord[] = [];
  for (const change of crmBatch.changes) {
    if (change.op === 'delete') continue;
    const record = change.record ?? (await rt.customcrm.read(change.type, change.id));
    if (!record) continue;
    if (record.type === 'Contact') {
      crm.users.set(record.id, record);
      progress('users', 'customcrm', 1);
    } else customers.push(record);
  }
  const split = await splitCustomers(rt, store, customers);
  for (const flow of ['organizations', 'groups'] as const)
    for (const r of split[flow]) {
      crm[flow].set(r.id, r);
      progress(flow, 'customcrm', 1);
    }
  for (const flow of FLOW_ORDER) {
    for (const r of [...crm[flow].values()]) {
      const link = await store.findLink({ flow, crmId: r.id });
      if (isEcho(link, r) && !yt[flow].has(link!.ytId)) {
        crm[flow].delete(r.id);
        continue;
      }
      if (link && !yt[flow].has(link.ytId)) {
        const other = await rt.youtrack.read(link.ytType, link.ytId);
        if (other) yt[flow].set(other.id, other);
      }
    }
  }

  const toArrays = (m: Record<FlowName, Map<string, RemoteRecord>>) =>
    Object.fromEntries(FLOW_ORDER.map((f) => [f, [...m[f].values()]])) as Record<FlowName, RemoteRecord[]>;
  return {
    input: {
      youtrack: toArrays(yt),
      customcrm: toArrays(crm),
      youtrackComplete: false,
      customcrmComplete: false,
      youtrackChangedAt: changedAt,
    },
    watermarks: { youtrack: ytBatch.watermark, customcrm: crmBatch.watermark },
  };
}
