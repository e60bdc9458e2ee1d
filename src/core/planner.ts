import { matchRecords } from './linking.ts';
import { planCreate, planDeletes } from './plan-create.ts';
import { planPair } from './plan-pair.ts';
import type {
  FlowPlan,
  FlowPlanInput,
  FlowPolicy,
  LinkMode,
  PlanAction,
  SystemCounts,
} from './plan-types.ts';
import type { RemoteRecord, SystemName } from './types.ts';
import { checkSourceTypes, displayName, type Rejection } from './validate.ts';

export type * from './plan-types.ts';
export { defaultPolicy } from './plan-types.ts';
export { checkCircuitBreaker } from './circuit-breaker.ts';

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
  return { creates: 0, updates: 0, deletes: 0, conflicts: 0, rejects: 0 };
}

export function countActions(actions: readonly PlanAction[]): Record<SystemName, SystemCounts> {
  const counts = { youtrack: emptyCounts(), customcrm: emptyCounts() };
  for (const a of actions) {
    if (a.kind === 'create') counts[a.target].creates++;
    else if (a.kind === 'update') counts[a.target].updates++;
    else if (a.kind === 'delete' || a.kind === 'deactivate') counts[a.target].deletes++;
    else if (a.kind === 'conflict') counts[a.loser].conflicts++;
    else if (a.kind === 'reject') counts[a.system].rejects++;
  }
  return counts;
}

export function planFlow(input: FlowPlanInput): FlowPlan {
  const { flow, policy, refs } = input;
  const quarantined = input.quarantined ?? new Set<string>();
  const actions: PlanAction[] = [];
  const ytById = new Map(input.youtrack.map((r) => [r.id, r]));
  const crmById = new Map(input.customcrm.map((r) => [r.id, r]));
  const linkedYt = new Set(input.links.map((l) => l.ytId));
  const linkedCrm = new Set(input.links.map((l) => l.crmId));

  const usable = (r: RemoteRecord): boolean => {
    if (quarantined.has(`${r.system}:${r.id}`)) return false;
    if (r.system === 'youtrack' && flow.flow === 'groups' && !includedGroup(policy, r)) return false;
    const bad = checkSourceTypes(flow.rows, r);
    if (bad) actions.push(rejectAction(bad));
    return !bad;
  };

  for (const link of input.links) {
    if (link.status !== 'active') continue;
    const yt = ytById.get(link.ytId);
    const crm = crmById.get(link.crmId);
    if (!yt || !crm) {
      actions.push(...planDeletes(input, link, yt !== undefined, crm !== undefined));
      continue;
    }
    const ytOk = usable(yt);
    if (!(usable(crm) && ytOk)) continue;
    const pair = planPair(input, yt, crm, { linkId: link.id, base: link.base });
    actions.push(...pair.rejects.map(rejectAction), ...pair.actions);
  }

  // A Customer linked in another flow belongs to that flow's organization or group.
  const ytFree = input.youtrack.filter((r) => !linkedYt.has(r.id) && usable(r));
  const crmFree = input.customcrm.filter(
    (r) => !linkedCrm.has(r.id) && !(r.type === 'Customer' && refs.youtrackForCustomer(r.id)) && usable(r),
  );

  const matched = new Set<string>();
  const criterion = flow.flow === 'users' || policy.mergeByName;
  if (criterion && (merges(policy.toCustomcrm) || merges(policy.toYouTrack))) {
    const { pairs, duplicates } = matchRecords(flow, ytFree, crmFree);
    for (const d of duplicates) {
      const what = d.code === 'DUPLICATE_EMAIL' ? 'e-mail' : 'name';
      actions.push({
        kind: 'report',
        code: d.code,
        system: d.system,
        ids: d.ids,
        message: `${d.ids.length} ${d.system === 'youtrack' ? 'YouTrack' : 'Customcrm'} records share the ${what} '${d.value}' (ids ${d.ids.join(', ')}); none of them is linked by ${what} until it is unique.`,
      });
    }
    for (const { ytId, crmId } of pairs) {
      const yt = ytById.get(ytId);
      const crm = crmById.get(crmId);
      if (!yt || !crm) continue;
      matched.add(`youtrack:${ytId}`).add(`customcrm:${crmId}`);
      const pair = planPair(input, yt, crm, { linkId: null, base: {} });
      if (pair.rejects.length > 0) {
        actions.push(...pair.rejects.map(rejectAction));
        continue;
      }
      const label = displayName(yt);
      actions.push({ kind: 'link', ytId, crmId, base: {}, label }, ...pair.actions);
    }
  }

  const createFrom = (records: RemoteRecord[], mode: LinkMode) => {
    if (!creates(mode)) return;
    for (const r of records) {
      if (matched.has(`${r.system}:${r.id}`)) continue;
      const planned = planCreate(input, r);
      actions.push('kind' in planned ? planned : rejectAction(planned));
    }
  };
  createFrom(ytFree, policy.toCustomcrm);
  createFrom(crmFree, policy.toYouTrack);

  return { flow: flow.flow, actions, counts: countActions(actions) };
}
