import { mergeValue } from './merge.ts';
import type { MappingRow } from './mapping.ts';
import type { FlowPlanInput, PlanAction, RowChange } from './plan-types.ts';
import type { Props, PropValue, RemoteRecord } from './types.ts';
import { checkWrite, describeRecord, displayName, type Rejection } from './validate.ts';
import { customcrmValue, isEmpty, toCustomcrmPatch, toYouTrackPatch, youtrackValue } from './values.ts';
import { decisionFor, guardsRow, isProtected, protectedKey, protectedReview } from './protected.ts';

/** Plans one linked pair (or a pair about to be linked): merge every row, write only what changed. */

export interface PairPlan {
  actions: PlanAction[];
  rejects: Rejection[];
}

/** Equality of stored props: no compare rules, lists as sets, and every empty value alike. */
export function sameValue(a: PropValue | undefined, b: PropValue | undefined): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const sb = new Set(b);
    return a.length === b.length && a.every((x) => sb.has(x));
  }
  return a === b;
}

function sameBase(a: Props, b: Props): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (Object.hasOwn(a, k) !== Object.hasOwn(b, k)) return false;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  }
  return true;
}

/** Drops props the target already holds, so an unchanged property is never rewritten. */
function onlyChanged(patch: Record<string, PropValue>, current: Props): Props {
  return Object.fromEntries(Object.entries(patch).filter(([k, v]) => !sameValue(v, current[k])));
}

/**
 * A company change from Customcrm becomes a move between membership containers. When the Customer
 * has no YouTrack container, or the user's other memberships would still decide the company, the
 * move cannot express it: that is reported and nothing is written, rather than guessing which
 * memberships to drop.
 */
function companyProblem(
  input: FlowPlanInput,
  row: MappingRow,
  yt: RemoteRecord,
  crm: RemoteRecord,
  value: PropValue,
): PlanAction | undefined {
  const { refs } = input;
  const report = (code: string, why: string): PlanAction => ({
    kind: 'report',
    code,
    system: 'customcrm',
    ids: [crm.id],
    message: `${describeRecord(crm)} has company ${String(value)}, but ${why}; the YouTrack memberships are left as they are.`,
  });
  if (typeof value === 'string' && !refs.youtrackForCustomer(value))
    return report('UNRESOLVED_REFERENCE', 'that Customer is linked to no YouTrack organization or group yet');
  const after = { props: { ...yt.props, ...toYouTrackPatch(row, value, yt.props, refs) } };
  if (youtrackValue(row, after, refs) !== value)
    return report(
      'AMBIGUOUS_COMPANY',
      `${describeRecord(yt)} belongs to several organizations or groups with Customers, and the first of them would still decide; change the memberships in YouTrack`,
    );
  return undefined;
}

export function planPair(
  input: FlowPlanInput,
  yt: RemoteRecord,
  crm: RemoteRecord,
  link: { linkId: number | null; base: Props },
): PairPlan {
  const { flow, refs, policy } = input;
  const ytPatch: Record<string, PropValue> = {};
  const crmPatch: Record<string, PropValue> = {};
  const ytChanges: RowChange[] = [];
  const crmChanges: RowChange[] = [];
  const rejects: Rejection[] = [];
  const tail: PlanAction[] = [];
  const newBase: Record<string, PropValue> = {};
  const ids = { linkId: link.linkId, ytId: yt.id, crmId: crm.id };
  const guarded = isProtected(input, yt);
  const decision = guarded ? decisionFor(input, protectedKey(yt.id)) : undefined;
  const held: RowChange[] = [];

  for (const row of flow.rows) {
    const yv = youtrackValue(row, yt, refs);
    const cv = customcrmValue(row, crm);
    const base = Object.hasOwn(link.base, row.name) ? link.base[row.name] : undefined;
    const r = mergeValue({
      row,
      base,
      youtrack: yv,
      customcrm: cv,
      ...(input.youtrackChangedAt?.[yt.id] !== undefined
        ? { youtrackChangedAt: input.youtrackChangedAt[yt.id] }
        : {}),
      ...(crm.updatedAt !== undefined ? { customcrmChangedAt: crm.updatedAt } : {}),
      priority: policy.priority,
    });
    const unwritable =
      r.writeYouTrack && row.transform === 'reference'
        ? companyProblem(input, row, yt, crm, r.value)
        : undefined;
    if (unwritable) {
      tail.push(unwritable);
      if (base !== undefined) newBase[row.name] = base;
      continue;
    }
    if (r.writeYouTrack && guarded && guardsRow(row) && decision?.action !== 'approve') {
      if (decision?.action === 'reject') {
        // The person kept YouTrack's value: it goes back to the CRM.
        const patch = toCustomcrmPatch(row, yv);
        Object.assign(crmPatch, patch);
        crmChanges.push({ row: row.name, from: cv, to: yv });
        newBase[row.name] = yv;
      } else {
        held.push({ row: row.name, from: yv, to: r.value });
        if (base !== undefined) newBase[row.name] = base;
      }
      continue;
    }
    if (r.writeCustomcrm) {
      const patch = toCustomcrmPatch(row, r.value);
      const bad = checkWrite(row, yt, r.value, patch);
      if (bad) rejects.push(bad);
      Object.assign(crmPatch, patch);
      crmChanges.push({ row: row.name, from: cv, to: r.value });
    }
    if (r.writeYouTrack) {
      const patch = toYouTrackPatch(row, r.value, yt.props, refs);
      const bad = checkWrite(row, crm, r.value, patch);
      if (bad) rejects.push(bad);
      Object.assign(ytPatch, patch);
      ytChanges.push({ row: row.name, from: yv, to: r.value });
    }
    if (r.conflict) tail.push({ kind: 'conflict', ...ids, row: row.name, ...r.conflict });
    newBase[row.name] = r.value;
  }
  if (rejects.length > 0) return { actions: [], rejects };

  const actions: PlanAction[] = [];
  const updates = [
    {
      target: 'customcrm',
      record: crm,
      type: flow.customcrmType,
      patch: onlyChanged(crmPatch, crm.props),
      changes: crmChanges,
    },
    {
      target: 'youtrack',
      record: yt,
      type: flow.youtrackType,
      patch: onlyChanged(ytPatch, yt.props),
      changes: ytChanges,
    },
  ] as const;
  for (const u of updates) {
    if (Object.keys(u.patch).length === 0) continue;
    actions.push({
      kind: 'update',
      target: u.target,
      type: u.type,
      id: u.record.id,
      ...ids,
      patch: u.patch,
      ...(u.record.version !== undefined ? { ifMatch: u.record.version } : {}),
      changes: u.changes,
    });
  }
  actions.push(...tail);
  if (held.length > 0) actions.push(protectedReview(yt, crm, held));
  if (decision) actions.push({ kind: 'decided', itemId: decision.itemId, action: decision.action });
  if (!sameBase(newBase, link.base)) {
    const after = { ...yt, props: { ...yt.props, ...ytPatch } };
    actions.push({ kind: 'setBase', ...ids, base: newBase, label: displayName(after) });
  }
  return { actions, rejects };
}
