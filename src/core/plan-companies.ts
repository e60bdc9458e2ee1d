import { matchCriterion, matchKey } from './linking.ts';
import { originIndex, planFlow, usableCheck } from './planner.ts';
import type {
  CompanyMatch,
  FlowPlan,
  FlowPlanInput,
  PlanAction,
  PlannedDecision,
  ReviewRecord,
} from './plan-types.ts';
import type { RemoteRecord } from './types.ts';
import { displayName } from './validate.ts';

/**
 * Organizations and groups are two YouTrack datatypes that both become Customers, so a company
 * name is matched across both flows at once: a Customer matched to an organization is never also
 * made a group, and a name with more than one candidate (an organization and a group, two
 * Customers, or a Customer already linked to another record) is neither linked nor created: it
 * becomes a review item a person decides. Pure, like the planner.
 */

export interface CompanyInputs {
  organizations: FlowPlanInput;
  groups: FlowPlanInput;
}

interface Candidate {
  record: RemoteRecord;
  flow: 'organizations' | 'groups';
}

interface KeyGroup {
  value: string;
  ytFree: Candidate[];
  crmFree: RemoteRecord[];
  /** Records of that name already linked (in either Customer flow). */
  ytLinked: RemoteRecord[];
  crmLinked: RemoteRecord[];
}

const matchesByName = (input: FlowPlanInput) => {
  const { policy } = input;
  const merges = (m: string) => m === 'merge-only' || m === 'merge-then-create';
  return policy.mergeByName && (merges(policy.toCustomcrm) || merges(policy.toYouTrack));
};

const ref = (r: RemoteRecord): ReviewRecord => ({
  system: r.system,
  type: r.type,
  id: r.id,
  label: displayName(r),
});

/** The name matches of both Customer flows, and the review items of the names no one may guess. */
export function matchCompanies(inputs: CompanyInputs): {
  organizations: CompanyMatch;
  groups: CompanyMatch;
  reviews: PlanAction[];
} {
  const out = { organizations: noMatch(), groups: noMatch(), reviews: [] as PlanAction[] };
  const flows = (['organizations', 'groups'] as const).filter((f) => matchesByName(inputs[f]));
  // A Customer linked in one flow is never the other flow's to match or create.
  for (const flow of ['organizations', 'groups'] as const)
    for (const l of inputs[flow].links)
      out[flow === 'organizations' ? 'groups' : 'organizations'].claimed.add(l.crmId);
  // Records Tandem created name their origin: relinked to it by the flow's plan, before any name.
  const { ytPaired, crmPaired } = originPairs(inputs);
  for (const [crmId, flow] of crmPaired)
    out[flow === 'organizations' ? 'groups' : 'organizations'].claimed.add(crmId);
  if (flows.length === 0) return out;

  const keys = new Map<string, KeyGroup>();
  const at = (key: string, value: string): KeyGroup => {
    let g = keys.get(key);
    if (!g) keys.set(key, (g = { value, ytFree: [], crmFree: [], ytLinked: [], crmLinked: [] }));
    return g;
  };
  const linkedCrm = new Set<string>();
  const seenCrm = new Set<string>();
  // Only the flows that match by name take part: a flow set to create keeps creating.
  for (const flow of flows) {
    const input = inputs[flow];
    const criterion = matchCriterion(input.flow);
    if (!criterion) continue;
    const linkedYt = new Set(input.links.map((l) => l.ytId));
    for (const l of input.links) linkedCrm.add(l.crmId);
    const usable = usableCheck(input, () => undefined);
    for (const r of input.youtrack) {
      const raw = criterion.read.youtrack(r);
      const key = matchKey(raw);
      if (key === undefined) continue;
      if (linkedYt.has(r.id) || ytPaired.has(r.id)) at(key, String(raw)).ytLinked.push(r);
      else if (usable(r) && !input.waiting?.has(`youtrack:${r.id}`))
        at(key, String(raw)).ytFree.push({ record: r, flow });
    }
  }
  for (const flow of flows) {
    const input = inputs[flow];
    const criterion = matchCriterion(input.flow);
    if (!criterion) continue;
    const usable = usableCheck(input, () => undefined);
    for (const c of input.customcrm) {
      if (seenCrm.has(c.id)) continue;
      seenCrm.add(c.id);
      const raw = criterion.read.customcrm(c);
      const key = matchKey(raw);
      if (key === undefined) continue;
      if (linkedCrm.has(c.id) || crmPaired.has(c.id) || input.refs.youtrackForCustomer(c.id))
        at(key, String(raw)).crmLinked.push(c);
      else if (usable(c) && !input.waiting?.has(`customcrm:${c.id}`)) at(key, String(raw)).crmFree.push(c);
    }
  }

  const complete = inputs.organizations.youtrackComplete && inputs.organizations.customcrmComplete;
  const decided = new Map<string, PlannedDecision>();
  for (const flow of ['organizations', 'groups'] as const)
    for (const d of inputs[flow].decisions ?? []) decided.set(d.key, d);

  for (const [key, g] of keys) {
    const free = g.ytFree.length + g.crmFree.length;
    const decision = decided.get(`name:${key}`);
    const close = () =>
      decision && out.reviews.push({ kind: 'decided', itemId: decision.itemId, action: decision.action });
    if (decision?.action === 'keep-apart') {
      hold(out, g);
      continue;
    }
    if (decision?.action === 'create') {
      close();
      continue;
    }
    const chosenYt = g.ytFree.find((c) => c.record.id === decision?.ytId);
    const chosenCrm = g.crmFree.find((c) => c.id === decision?.crmId);
    if (decision?.action === 'link' && chosenYt && chosenCrm) {
      close();
      hold(out, g);
      out[chosenYt.flow].held.delete(`youtrack:${chosenYt.record.id}`);
      out.organizations.held.delete(`customcrm:${chosenCrm.id}`);
      out.groups.held.delete(`customcrm:${chosenCrm.id}`);
      pair(out, chosenYt, chosenCrm);
      continue;
    }
    if (decision?.action === 'link') {
      // The chosen pair is not both here: a read of changes waits for a complete one; a complete
      // read closes the decision (the records went or were linked since) and plans the name afresh.
      if (!complete) {
        hold(out, g);
        continue;
      }
      close();
    }
    if (free === 0) continue;
    const taken = g.ytLinked.length + g.crmLinked.length;
    const [yt] = g.ytFree;
    const [crm] = g.crmFree;
    if (g.ytFree.length === 1 && g.crmFree.length === 1 && taken === 0 && yt && crm) {
      pair(out, yt, crm);
      continue;
    }
    // One record alone with its name (or with a namesake only on its own side, already linked) is created as usual.
    if (free === 1 && (yt ? g.crmLinked.length === 0 : g.ytLinked.length === 0)) continue;
    hold(out, g);
    out.reviews.push(reviewOf(g));
  }
  return out;
}

type Matches = Record<'organizations' | 'groups', ReturnType<typeof noMatch>>;

function pair(out: Matches, yt: Candidate, crm: RemoteRecord): void {
  out[yt.flow].pairs.push({ ytId: yt.record.id, crmId: crm.id });
  out[yt.flow === 'organizations' ? 'groups' : 'organizations'].claimed.add(crm.id);
}

/** The free records of a name wait in review: neither matched nor created. */
function hold(out: Matches, g: KeyGroup): void {
  for (const c of g.ytFree) out[c.flow].held.add(`youtrack:${c.record.id}`);
  for (const c of g.crmFree) {
    out.organizations.held.add(`customcrm:${c.id}`);
    out.groups.held.add(`customcrm:${c.id}`);
  }
}

/** The free pairs `originRef` joins, per Customer id the flow that will link it. */
function originPairs(inputs: CompanyInputs): {
  ytPaired: Set<string>;
  crmPaired: Map<string, 'organizations' | 'groups'>;
} {
  const linked = new Set<string>();
  for (const flow of ['organizations', 'groups'] as const)
    for (const l of inputs[flow].links) linked.add(l.crmId);
  const customers = new Map<string, RemoteRecord>();
  for (const flow of ['organizations', 'groups'] as const)
    for (const c of inputs[flow].customcrm) if (!linked.has(c.id)) customers.set(c.id, c);
  const ytPaired = new Set<string>();
  const crmPaired = new Map<string, 'organizations' | 'groups'>();
  for (const flow of ['organizations', 'groups'] as const) {
    const input = inputs[flow];
    const byOrigin = originIndex(input.flow, [...customers.values()]);
    const linkedYt = new Set(input.links.map((l) => l.ytId));
    for (const yt of input.youtrack) {
      const crm = byOrigin.get(yt.id);
      if (!crm || linkedYt.has(yt.id) || crmPaired.has(crm.id)) continue;
      ytPaired.add(yt.id);
      crmPaired.set(crm.id, flow);
    }
  }
  return { ytPaired, crmPaired };
}

function noMatch(): CompanyMatch & { held: Set<string>; claimed: Set<string> } {
  return { pairs: [], held: new Set(), claimed: new Set() };
}

function reviewOf(g: KeyGroup): PlanAction {
  const records = [...g.ytFree.map((c) => ref(c.record)), ...g.crmFree.map(ref)];
  const candidates = [...g.ytLinked.map(ref), ...g.crmLinked.map(ref)];
  const sameSide = g.ytFree.length + g.ytLinked.length === 0 || g.crmFree.length + g.crmLinked.length === 0;
  const code = sameSide ? 'DUPLICATE_NAME' : 'AMBIGUOUS_MATCH';
  const all = [...records, ...candidates];
  const list = all.map((r) => `${r.type} ${r.id} "${r.label}"`).join(', ');
  const message =
    code === 'DUPLICATE_NAME'
      ? `${all.length} records of one system share the company name '${g.value}' (${list}); none is linked or created until a person decides (tandem review).`
      : `the company name '${g.value}' has more than one candidate (${list}); none is linked or created until a person decides (tandem review).`;
  return {
    kind: 'review',
    code,
    flow: g.ytFree[0]?.flow ?? 'groups',
    key: `name:${matchKey(g.value) ?? g.value}`,
    records,
    candidates,
    message,
  };
}

/** The plans of both Customer flows from one joint match. Review items go with the organizations plan. */
export function planCompanies(inputs: CompanyInputs): { organizations: FlowPlan; groups: FlowPlan } {
  const m = matchCompanies(inputs);
  const organizations = planFlow({ ...inputs.organizations, match: m.organizations });
  const groups = planFlow({ ...inputs.groups, match: m.groups });
  organizations.actions.push(...m.reviews);
  return { organizations, groups };
}
