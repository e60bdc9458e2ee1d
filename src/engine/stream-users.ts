import { StreamPlanner, type KeyIndex } from '../core/plan-stream.ts';
import { weighPlan, type FlowWeights, type LinkState, type PlanAction } from '../core/planner.ts';
import type { RemoteRecord } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import type { PlanExecutor } from './executor.ts';
import { failpoint } from './failpoints.ts';
import { youtrackTypeOf } from './read.ts';
import { buildRefs } from './refs.ts';
import type { ConnectionRuntime } from './runtime.ts';

/**
 * The users flow of a full cycle, streamed: the Customcrm contacts are held whole (read before),
 * the YouTrack users are read page by page and planned and carried out a batch at a time with the
 * batch's links, so memory does not grow with the directory beyond the contacts and a few sets of
 * ids. See `StreamPlanner` for why the result is the whole-flow plan.
 */

/**
 * YouTrack users planned together; their links are fetched in one round trip. A batch and its plan
 * take a few MB; small batches would only add link queries.
 */
export const USER_BATCH = 2000;

export interface UsersStreamOptions {
  /** Every YouTrack user as it is read (progress, quarantine bookkeeping). */
  onRead?: (r: RemoteRecord) => void;
  signal?: AbortSignal;
}

async function usersPlanner(
  rt: ConnectionRuntime,
  store: StateStore,
  contacts: RemoteRecord[],
  keys?: KeyIndex,
): Promise<StreamPlanner> {
  const linkedCrm = new Set<string>();
  for await (const l of store.iterateLinks('users')) linkedCrm.add(l.crmId);
  return new StreamPlanner(
    {
      flow: rt.mapping.flows.users,
      policy: rt.policies.users,
      customcrm: contacts,
      youtrackComplete: true,
      customcrmComplete: true,
      refs: await buildRefs(store),
      youtrackChangedAt: {},
      linkedCrm,
    },
    keys,
  );
}

/** The YouTrack users, read page by page, in batches with every stored link of their ids. */
async function* userBatches(
  rt: ConnectionRuntime,
  store: StateStore,
  opts: UsersStreamOptions,
): AsyncGenerator<{ records: RemoteRecord[]; links: LinkState[] }> {
  let records: RemoteRecord[] = [];
  const batch = async () => {
    const links = await store.findLinks({ flow: 'users', ytIds: records.map((r) => r.id) });
    const out = { records, links };
    records = [];
    return out;
  };
  const read = rt.youtrack.readAll(youtrackTypeOf(rt, 'users'), opts.signal ? { signal: opts.signal } : {});
  for await (const r of read) {
    records.push(r);
    opts.onRead?.(r);
    failpoint('after-read');
    if (records.length >= USER_BATCH) yield await batch();
  }
  if (records.length > 0) yield await batch();
}

/** Every stored link of the users flow, a page at a time, for `StreamPlanner.vanished`. */
async function vanishedActions(store: StateStore, planner: StreamPlanner): Promise<PlanAction[]> {
  const actions: PlanAction[] = [];
  let page: LinkState[] = [];
  for await (const l of store.iterateLinks('users')) {
    page.push(l);
    if (page.length < USER_BATCH) continue;
    actions.push(...planner.vanished(page));
    page = [];
  }
  actions.push(...planner.vanished(page));
  return actions;
}

/** The plan in batches: one per batch of users, then the links whose user is gone, then the rest. */
async function* planBatches(
  rt: ConnectionRuntime,
  store: StateStore,
  planner: StreamPlanner,
  opts: UsersStreamOptions,
): AsyncGenerator<PlanAction[]> {
  for await (const { records, links } of userBatches(rt, store, opts)) yield planner.batch(records, links);
  // Collected before any of it runs: its writes would otherwise change the links being paged.
  yield await vanishedActions(store, planner);
  yield planner.finish();
}

export interface FirstPass {
  /** What the circuit breaker weighs in the users flow, when it was asked for. */
  weights?: FlowWeights;
  /** The users' e-mails, for matching and duplicate reports in the planning pass. */
  keys?: KeyIndex;
}

/**
 * A first read of the YouTrack users, kept as counts and e-mails only, when the cycle needs the whole flow
 * before it plans the first batch: the circuit breaker must weigh every delete and change before
 * anything is written, and a user is linked by e-mail only if no other user shares it. A first
 * sync into an empty CRM needs neither and reads the users once.
 */
export async function firstPass(
  rt: ConnectionRuntime,
  store: StateStore,
  contacts: RemoteRecord[],
  opts: { weigh: boolean; signal?: AbortSignal },
): Promise<FirstPass> {
  const planner = await usersPlanner(rt, store, contacts);
  if (!opts.weigh && !planner.needsKeyCounts()) return {};
  const keys: KeyIndex = new Map();
  const weights: FlowWeights = { flow: 'users', deletes: 0, changedLinks: 0 };
  const add = (actions: PlanAction[]) => {
    const w = weighPlan({ flow: 'users', actions });
    weights.deletes += w.deletes;
    weights.changedLinks += w.changedLinks;
  };
  for await (const { records, links } of userBatches(rt, store, opts.signal ? { signal: opts.signal } : {})) {
    planner.countKeys(records, links, keys);
    if (opts.weigh) add(planner.linkedActions(records, links));
  }
  if (opts.weigh) add(await vanishedActions(store, planner));
  return { ...(opts.weigh ? { weights } : {}), keys };
}

/** Plans and carries out the users flow batch by batch. */
export async function runUsers(
  rt: ConnectionRuntime,
  store: StateStore,
  executor: PlanExecutor,
  contacts: RemoteRecord[],
  keys: KeyIndex | undefined,
  opts: UsersStreamOptions,
): Promise<void> {
  const planner = await usersPlanner(rt, store, contacts, keys);
  await executor.executeBatches('users', planBatches(rt, store, planner, opts));
}
