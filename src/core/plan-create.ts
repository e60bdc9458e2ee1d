import { deleteAwaitingApproval } from './plan-delete-review.ts';
import type { FlowPlanInput, LinkState, PlanAction } from './plan-types.ts';
import type { FlowMapping } from './mapping.ts';
import type { RefResolver } from './values.ts';
import type { Props, PropValue, RemoteRecord, SystemName } from './types.ts';
import { checkWrite, displayName, type Rejection } from './validate.ts';
import { customcrmValue, isEmpty, toCustomcrmPatch, toYouTrackPatch, youtrackValue } from './values.ts';

/**
 * A counterpart for an unlinked record. Every row gives the new record its first value, one-way
 * rows included (a new YouTrack user needs a login even though later CRM edits never rename it).
 */
export function planCreate(input: FlowPlanInput, source: RemoteRecord): PlanAction | Rejection {
  const { flow, refs } = input;
  const toCrm = source.system === 'youtrack';
  const props: Record<string, PropValue> = {};
  const base: Record<string, PropValue> = {};
  for (const row of flow.rows) {
    const value = toCrm ? youtrackValue(row, source, refs) : customcrmValue(row, source);
    // A company whose Customer is not linked yet is left out; the next cycle sets it once it is.
    if (
      !toCrm &&
      row.transform === 'reference' &&
      typeof value === 'string' &&
      !refs.youtrackForCustomer(value)
    )
      continue;
    const patch: Props = toCrm ? toCustomcrmPatch(row, value) : toYouTrackPatch(row, value, {}, refs);
    const bad = checkWrite(row, source, value, patch);
    if (bad) return bad;
    for (const [k, v] of Object.entries(patch)) if (!isEmpty(v)) props[k] = v;
    base[row.name] = value;
  }
  const target = toCrm ? 'customcrm' : 'youtrack';
  const type = toCrm ? flow.customcrmType : flow.youtrackType;
  return {
    kind: 'create',
    target,
    type,
    props,
    sourceId: source.id,
    base,
    label: displayName(source),
  };
}

/**
 * The base a create of `planCreate` recorded, recomputed from the props it sent. Recovery links a
 * create whose link the process did not live to store: with this base instead of an empty one, an
 * edit made to either side since is a change to merge, not a first-link conflict that the priority
 * side wins (it would overwrite the edit).
 */
export function baseOfCreate(
  flow: FlowMapping,
  target: SystemName,
  sent: Props,
  refs: RefResolver,
): Record<string, PropValue> {
  const record = { props: sent };
  const base: Record<string, PropValue> = {};
  for (const row of flow.rows)
    base[row.name] = target === 'customcrm' ? customcrmValue(row, record) : youtrackValue(row, record, refs);
  return base;
}

/**
 * A linked record that a complete read no longer returns was deleted. By default only the link is
 * marked; `deactivate` sets a Contact inactive; `propagate` deletes the counterpart once a person
 * approves it (`plan-delete-review.ts`). Both sides of a link are marked in order, so an executor
 * that stops a link at its first failure retries next cycle.
 */
export function planDeletes(
  input: FlowPlanInput,
  link: LinkState,
  yt: RemoteRecord | undefined,
  crm: RemoteRecord | undefined,
): PlanAction[] {
  const ytGone = !yt && input.youtrackComplete;
  const crmGone = !crm && input.customcrmComplete;
  const linkId = link.id;
  if (ytGone && crmGone)
    return [
      { kind: 'markDeleted', linkId, side: 'youtrack', recordId: link.ytId },
      { kind: 'markDeleted', linkId, side: 'customcrm', recordId: link.crmId },
    ];
  if (!ytGone && !crmGone) return [];
  const gone = ytGone ? 'youtrack' : 'customcrm';
  const survivor = ytGone ? 'customcrm' : 'youtrack';
  const recordOf = (side: SystemName) => (side === 'youtrack' ? link.ytId : link.crmId);
  const mark: PlanAction = { kind: 'markDeleted', linkId, side: gone, recordId: recordOf(gone) };
  const { deletes } = input.policy;
  if (deletes === 'propagate') {
    const type = survivor === 'customcrm' ? input.flow.customcrmType : input.flow.youtrackType;
    const id = survivor === 'customcrm' ? link.crmId : link.ytId;
    return deleteAwaitingApproval(input, link, gone, yt ?? crm, [
      { kind: 'delete', target: survivor, type, id, linkId },
      mark,
      { kind: 'markDeleted', linkId, side: survivor, recordId: id },
    ]);
  }
  if (deletes === 'deactivate' && survivor === 'customcrm' && input.flow.customcrmType === 'Contact')
    return [deactivation(link.crmId, linkId), mark];
  return [mark];
}

/** Switches a Contact off (the Customcrm `Active` flag) instead of deleting it. */
export function deactivation(id: string, linkId: number): Extract<PlanAction, { kind: 'deactivate' }> {
  return {
    kind: 'deactivate',
    target: 'customcrm',
    type: 'Contact',
    id,
    linkId,
    patch: { Active: false },
    changes: [{ row: 'Active', from: true, to: false }],
  };
}
