import { StreamPlanner, type KeyIndex } from '../core/plan-stream.ts';
import {
  weighPlan,
  type FlowPlanInput,
  type FlowWeights,
  type LinkState,
  type PlanAction,
} from '../core/planner.ts';
import type { RemoteRecord } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import type { PlanExecutor } from './executor.ts';
import type { Failpoint } from './failpoints.ts';
import type { PackedRecords } from './packed-records.ts';
import { linkedCrmIds, youtrackTypeOf } from './read.ts';
import { buildRefs } from './refs.ts';
import type { ConnectionRuntime } from './runtime.ts';

/**
 * The users flow of a full cycle, streamed: the Customcrm contacts are held whole (read before),
 * the YouTrack users are read page by page and planned and carried out a batch at a time with the
 * batch's links, so memory does not grow with the directory beyond the contacts and a few sets of
 * ids. See `StreamPlanner` for why the result is the whole-flow plan.
 */

/*
 * Sizes come from the connection's `sync.stream` (src/config/schema.ts):
 * - usersBatch (2,000): YouTrack users planned together, their links fetched in one round trip. A
 *   batch and its plan take a few MB; small batches would only add link queries.
 * - heldActions (10,000): actions of the users flow held between the first pass and the writes. A
 *   cycle that changes this few needs no second read of the users; one that changes more reads
 *   them again rather than hold a plan that grows with the directory.
 */
const sizes = (rt: ConnectionRuntime) => rt.config.sync.stream;

export interface UsersStreamOptions {
  /** Review decisions and protected accounts for the users plan (issue 14). */
  review?: Partial<Pick<FlowPlanInput, 'decisions' | 'protectedUsers'>>;
  /** Every YouTrack user as it is read (progress, quarantine bookkeeping). */
  onRead?: (r: RemoteRecord) => void;
  signal?: AbortSignal;
  /** Called after each user read (`after-read`); the crash tests stop the cycle there. */
  failpoint?: Failpoint;
  /** The contacts that were linked when they were read, packed (`CycleInput.linkedContacts`). */
  linkedContacts?: PackedRecords | undefined;
}

async function usersPlanner(
  rt: ConnectionRuntime,
  store: StateStore,
  contacts: RemoteRecord[],
  opts: UsersStreamOptions,
  keys?: KeyIndex,
): Promise<StreamPlanner> {
  const linkedCrm = await linkedCrmIds(store);
  const packed = opts.linkedContacts;
  // A packed contact whose link is gone since it was read (a resolution undid it) is free again.
  const free = [...contacts];
  if (packed) for (const id of packed.ids()) if (!linkedCrm.has(id)) free.push(packed.get(id)!);
  return new StreamPlanner(
    {
      flow: rt.mapping.flows.users,
      policy: rt.policies.users,
      customcrm: free,
      ...(packed ? { crmLinked: packed } : {}),
      youtrackComplete: true,
      customcrmComplete: true,
      refs: await buildRefs(store),
      youtrackChangedAt: {},
      linkedCrm,
      ...opts.review,
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
    opts.failpoint?.('after-read');
    if (records.length >= sizes(rt).usersBatch) yield await batch();
  }
  if (records.length > 0) yield await batch();
}

/**
 * The next batch is read while the current one is planned and carried out, so the YouTrack reads
 * do not wait for the writes (one batch more in memory). Each batch's links are those of its own
 * users, which the writes of the batches before it do not touch.
 */
async function* readAhead<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  const pull = () => {
    const p = source.next();
    p.catch(() => undefined); // seen when awaited; not unhandled if the consumer stops first
    return p;
  };
  let next = pull();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = pull();
      yield r.value;
    }
  } finally {
    await next.catch(() => undefined);
    await source.return(undefined);
  }
}

/** Links handed to `StreamPlanner.vanished` at a time. */
const VANISHED_PAGE = 2000;

/** Every stored link of the users flow, a page at a time, for `StreamPlanner.vanished`. */
async function vanishedActions(store: StateStore, planner: StreamPlanner): Promise<PlanAction[]> {
  const actions: PlanAction[] = [];
  let page: LinkState[] = [];
  for await (const l of store.iterateLinks('users')) {
    page.push(l);
    if (page.length < VANISHED_PAGE) continue;
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
  for await (const { records, links } of readAhead(userBatches(rt, store, opts)))
    yield planner.batch(records, links);
  // Collected before any of it runs: its writes would otherwise change the links being paged.
  yield await vanishedActions(store, planner);
  yield planner.finish();
}

export interface FirstPass {
  /** What the circuit breaker weighs in the users flow, when it was asked for. */
  weights?: FlowWeights;
  /** The users' e-mails, for matching and duplicate reports in the planning pass. */
  keys?: KeyIndex;
  /** The whole plan, when the first pass could make it and it was small: no second read. */
  plan?: PlanAction[] | undefined;
  /** Whether this pass read the users with `onRead`, so the second one must not count them again. */
  counted?: boolean;
}

/**
 * A first read of the YouTrack users, when the cycle needs the whole flow before it writes any
 * of it: the circuit breaker must weigh every delete and change before anything is written, and
 * a user is linked by e-mail only if no other user shares it. A first sync into an empty CRM
 * needs neither and reads the users once (in `runUsers`).
 *
 * Without e-mails to count (no free contact could match), the batches are planned for real in
 * this pass: their weights are the whole plan's, and the plan is kept if it stays under
 * `heldActions` (a cycle with few changes, the usual full reconcile), so the users are read once.
 * Otherwise this pass keeps only counts and e-mails, and `runUsers` reads the users again.
 */
export async function firstPass(
  rt: ConnectionRuntime,
  store: StateStore,
  contacts: RemoteRecord[],
  opts: { weigh: boolean } & UsersStreamOptions,
): Promise<FirstPass> {
  const planner = await usersPlanner(rt, store, contacts, opts);
  const countKeys = planner.needsKeyCounts();
  if (!opts.weigh && !countKeys) return {};
  const weights: FlowWeights = { flow: 'users', deletes: 0, changedLinks: 0 };
  const add = (actions: PlanAction[]) => {
    const w = weighPlan({ flow: 'users', actions });
    weights.deletes += w.deletes;
    weights.changedLinks += w.changedLinks;
  };
  if (!countKeys) {
    let plan: PlanAction[] | undefined = [];
    for await (const actions of planBatches(rt, store, planner, opts)) {
      add(actions);
      if (plan && plan.length + actions.length <= sizes(rt).heldActions) plan = plan.concat(actions);
      else plan = undefined;
    }
    return { weights, counted: true, ...(plan ? { plan } : {}) };
  }
  const keys: KeyIndex = new Map();
  for await (const { records, links } of userBatches(rt, store, opts)) {
    planner.countKeys(records, links, keys);
    if (opts.weigh) add(planner.linkedActions(records, links));
  }
  if (opts.weigh) add(await vanishedActions(store, planner));
  return { ...(opts.weigh ? { weights } : {}), keys, counted: true };
}

/** Plans and carries out the users flow batch by batch, or the plan the first pass kept. */
export async function runUsers(
  rt: ConnectionRuntime,
  store: StateStore,
  executor: PlanExecutor,
  contacts: RemoteRecord[],
  pass: FirstPass,
  opts: UsersStreamOptions,
): Promise<void> {
  if (pass.plan) return executor.executeBatches('users', [pass.plan]);
  const planner = await usersPlanner(rt, store, contacts, opts, pass.keys);
  const { onRead, ...rest } = opts;
  const reading = pass.counted || !onRead ? rest : { ...rest, onRead };
  await executor.executeBatches('users', planBatches(rt, store, planner, reading));
}
