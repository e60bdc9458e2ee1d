import { matchRecords, normalizeKey, originRef, type DuplicateReport } from './linking.ts';
import type { FlowMapping } from './mapping.ts';
import { planCreate, planDeletes } from './plan-create.ts';
import { planPair } from './plan-pair.ts';
import type {
  FlowPlan,
  FlowPlanInput,
  FlowPolicy,
  LinkMode,
  LinkState,
  PlanAction,
  SystemCounts,
} from './plan-types.ts';
import type { RemoteRecord, SystemName } from './types.ts';
import { checkSourceTypes, displayName, type Rejection } from './validate.ts';
import { labelOf } from './systems.ts';

export type * from './plan-types.ts';
export { defaultPolicy } from './plan-types.ts';
export {
  checkCircuitBreaker,
  checkWeights,
  weighPlan,
  weighsFlow,
  type FlowWeights,
} from './circuit-breaker.ts';

/**
 * From the records read this cycle and the stored links, the actions that bring both sides in
 * line. Pure: the same input always gives the same plan, and nothing is read or written here.
 */

const merges = (m: LinkMode) => m === 'merge-only' || m === 'merge-then-create';
const creates = (m: LinkMode) => m === 'create' || m === 'merge-then-create';

function includedGroup(policy: FlowPolicy, record: RemoteRecord): boolean {
  const kind = record.props['kind'];
  if (kind === 'allUsers') return policy.includeGroups.allUsers;
  if (kind === 'registeredUsers') return policy.includeGroups.registeredUsers;
  if (kind === 'projectTeam') return policy.includeGroups.projectTeams;
  return true;
}

function rejectAction(r: Rejection): PlanAction {
  return { kind: 'reject', ...r };
}

function emptyCounts(): SystemCounts {
  return { creates: 0, updates: 0, deletes: 0, conflicts: 0, rejects: 0, reviews: 0 };
}

export function countActions(actions: readonly PlanAction[]): Record<SystemName, SystemCounts> {
  const counts = { youtrack: emptyCounts(), customcrm: emptyCounts() };
  for (const a of actions) {
    if (a.kind === 'create') counts[a.target].creates++;
    else if (a.kind === 'update') counts[a.target].updates++;
    else if (a.kind === 'delete' || a.kind === 'deactivate') counts[a.target].deletes++;
    else if (a.kind === 'conflict') counts[a.loser].conflicts++;
    else if (a.kind === 'reject') counts[a.system].rejects++;
    else if (a.kind === 'review') for (const r of a.records) counts[r.system].reviews++;
  }
  return counts;
}

/**
 * Whether a record takes part in this cycle: not quarantined, not an excluded group, and of the
 * types the mapping expects (a record that is not is rejected through `push`).
 */
export function usableCheck(
  input: FlowPlanInput,
  push: (a: PlanAction) => void,
): (r: RemoteRecord) => boolean {
  const quarantined = input.quarantined ?? new Set<string>();
  const { flow, policy } = input;
  return (r) => {
    if (quarantined.has(`${r.system}:${r.id}`)) return false;
    if (r.system === 'youtrack' && flow.flow === 'groups' && !includedGroup(policy, r)) return false;
    const bad = checkSourceTypes(flow.rows, r);
    if (bad) push(rejectAction(bad));
    return !bad;
  };
}

/** The actions of one stored link, from the records of it this cycle read (undefined = not read). */
export function planLinked(
  input: FlowPlanInput,
  link: LinkState,
  yt: RemoteRecord | undefined,
  crm: RemoteRecord | undefined,
  usable: (r: RemoteRecord) => boolean,
): PlanAction[] {
  if (link.status !== 'active') return [];
  if (!yt || !crm) return planDeletes(input, link, yt, crm);
  const ytOk = usable(yt);
  if (!(usable(crm) && ytOk)) return [];
  const pair = planPair(input, yt, crm, { linkId: link.id, base: link.base });
  return [...pair.rejects.map(rejectAction), ...pair.actions];
}

/** Records of one system sharing a criterion: a review item (listed until a person dismisses it). */
export function duplicateAction(flow: FlowMapping, d: DuplicateReport): PlanAction {
  const what = d.code === 'DUPLICATE_EMAIL' ? 'e-mail' : 'name';
  const type = d.system === 'youtrack' ? flow.youtrackType : flow.customcrmType;
  return {
    kind: 'review',
    code: d.code,
    flow: flow.flow,
    key: `${d.code === 'DUPLICATE_EMAIL' ? 'email' : 'name'}:${d.system}:${normalizeKey(d.value)}`,
    records: d.ids.map((id) => ({ system: d.system, type, id, label: d.value })),
    candidates: [],
    message: `${d.ids.length} ${labelOf(d.system)} records share the ${what} '${d.value}' (ids ${d.ids.join(', ')}); none of them is linked by ${what} until it is unique.`,
  };
}

/** A pair found by the criterion: linked with an empty base and merged, or its rejects. */
export function planMatched(input: FlowPlanInput, yt: RemoteRecord, crm: RemoteRecord): PlanAction[] {
  const pair = planPair(input, yt, crm, { linkId: null, base: {} });
  if (pair.rejects.length > 0) return pair.rejects.map(rejectAction);
  const label = displayName(yt);
  return [{ kind: 'link', ytId: yt.id, crmId: crm.id, base: {}, label }, ...pair.actions];
}

/** Free Customcrm records by the YouTrack id they name as their origin (`originRef`). */
export function originIndex(flow: FlowMapping, crmFree: readonly RemoteRecord[]): Map<string, RemoteRecord> {
  const out = new Map<string, RemoteRecord>();
  for (const c of crmFree) {
    const id = originRef(flow, c);
    if (id !== undefined && !out.has(id)) out.set(id, c);
  }
  return out;
}

/** Whether unlinked records are matched by the criterion, and whether each side gets creates. */
export function linkModes(input: FlowPlanInput): { match: boolean; createIn: Record<SystemName, boolean> } {
  const { flow, policy } = input;
  const criterion = flow.flow === 'users' || policy.mergeByName;
  return {
    match: criterion && (merges(policy.toCustomcrm) || merges(policy.toYouTrack)),
    createIn: { customcrm: creates(policy.toCustomcrm), youtrack: creates(policy.toYouTrack) },
  };
}

/** The counterpart of an unlinked record, or its reject. */
export function createAction(input: FlowPlanInput, r: RemoteRecord): PlanAction {
  const planned = planCreate(input, r);
  return 'kind' in planned ? planned : rejectAction(planned);
}

export function planFlow(input: FlowPlanInput): FlowPlan {
  const { flow, refs } = input;
  const actions: PlanAction[] = [];
  const ytById = new Map(input.youtrack.map((r) => [r.id, r]));
  const crmById = new Map(input.customcrm.map((r) => [r.id, r]));
  const linkedYt = new Set(input.links.map((l) => l.ytId));
  const linkedCrm = new Set(input.links.map((l) => l.crmId));
  const usable = usableCheck(input, (a) => actions.push(a));

  for (const link of input.links)
    actions.push(...planLinked(input, link, ytById.get(link.ytId), crmById.get(link.crmId), usable));

  // A Customer linked in another flow belongs to that flow's organization or group.
  const ytFree = input.youtrack.filter((r) => !linkedYt.has(r.id) && usable(r));
  const crmFree = input.customcrm.filter(
    (r) =>
      !linkedCrm.has(r.id) &&
      !(r.type === 'Customer' && refs.youtrackForCustomer(r.id)) &&
      !input.match?.claimed.has(r.id) &&
      usable(r),
  );

  // Records waiting in review count as matched: neither matched again nor created.
  const matched = new Set<string>([...(input.match?.held ?? []), ...(input.waiting ?? [])]);
  const modes = linkModes(input);
  const pair = (yt: RemoteRecord, crm: RemoteRecord) => {
    matched.add(`youtrack:${yt.id}`).add(`customcrm:${crm.id}`);
    actions.push(...planMatched(input, yt, crm));
  };
  // A record Tandem created names its origin: relinked to it first (a store that lost its links).
  const byOrigin = originIndex(flow, crmFree);
  for (const yt of ytFree) {
    const crm = byOrigin.get(yt.id);
    if (crm && !matched.has(`customcrm:${crm.id}`) && !matched.has(`youtrack:${yt.id}`)) pair(yt, crm);
  }
  if (modes.match) {
    const candidates = crmFree.filter((c) => !originRef(flow, c));
    const { pairs, duplicates } = input.match
      ? { pairs: input.match.pairs, duplicates: [] }
      : matchRecords(flow, ytFree, candidates);
    actions.push(...duplicates.map((d) => duplicateAction(flow, d)));
    for (const { ytId, crmId } of pairs) {
      const yt = ytById.get(ytId);
      const crm = crmById.get(crmId);
      if (!yt || !crm || matched.has(`youtrack:${ytId}`) || matched.has(`customcrm:${crmId}`)) continue;
      pair(yt, crm);
    }
  }

  const createFrom = (records: RemoteRecord[], create: boolean) => {
    if (!create) return;
    for (const r of records) if (!matched.has(`${r.system}:${r.id}`)) actions.push(createAction(input, r));
  };
  createFrom(ytFree, modes.createIn.customcrm);
  createFrom(crmFree, modes.createIn.youtrack);

  return { flow: flow.flow, actions, counts: countActions(actions) };
}
