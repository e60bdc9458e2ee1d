import type { FlowPlanInput, LinkState, PlanAction, ReviewRecord } from './plan-types.ts';
import { decisionFor } from './protected.ts';
import type { RemoteRecord, SystemName } from './types.ts';
import { displayName } from './validate.ts';
import { labelOf, other } from './systems.ts';

/**
 * Deletes awaiting approval (issue 14): with `deletes: propagate`, a record deleted on one side does
 * not delete its counterpart at once. The delete waits as a review item until a person approves it
 * (the next cycle carries it out through the executor like any delete) or rejects it (the surviving
 * record is kept, the link is marked, and the delete is never proposed again). `approveDeletes:
 * false` carries propagated deletes out directly, as before.
 */

export const deleteKey = (linkId: number) => `delete:${linkId}`;

export function deleteAwaitingApproval(
  input: FlowPlanInput,
  link: LinkState,
  gone: SystemName,
  survivor: RemoteRecord | undefined,
  direct: PlanAction[],
): PlanAction[] {
  if (input.policy.approveDeletes === false) return direct;
  const key = deleteKey(link.id);
  const decision = decisionFor(input, key);
  const decided = (d: NonNullable<typeof decision>): PlanAction => ({
    kind: 'decided',
    itemId: d.itemId,
    action: d.action,
  });
  if (decision?.action === 'approve') return [...direct, decided(decision)];
  // Rejected: only the gone side is marked, as with `deletes: keep`; the link is never planned again.
  const idOf = (s: SystemName) => (s === 'youtrack' ? link.ytId : link.crmId);
  if (decision?.action === 'reject')
    return [{ kind: 'markDeleted', linkId: link.id, side: gone, recordId: idOf(gone) }, decided(decision)];
  const { flow } = input;
  const survivorSide = other(gone);
  const typeOf = (s: SystemName) => (s === 'youtrack' ? flow.youtrackType : flow.customcrmType);
  const label = survivor ? displayName(survivor) : idOf(survivorSide);
  const records: ReviewRecord[] = [
    { system: gone, type: typeOf(gone), id: idOf(gone), label: `${label} (deleted)` },
    { system: survivorSide, type: typeOf(survivorSide), id: idOf(survivorSide), label },
  ];
  return [
    {
      kind: 'review',
      code: 'DELETE_PENDING',
      flow: flow.flow,
      key,
      records,
      candidates: [],
      message: `${labelOf(gone)} ${typeOf(gone)} ${idOf(gone)} was deleted; deleting its ${labelOf(survivorSide)} ${typeOf(survivorSide)} ${idOf(survivorSide)} (${label}) waits for a person: approve carries the delete out, reject keeps the record and stops proposing it (tandem review ID approve|reject).`,
    },
  ];
}
