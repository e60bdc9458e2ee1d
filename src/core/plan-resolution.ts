import type { MappingRow } from './mapping.ts';
import type { PlanAction } from './plan-types.ts';
import type { PropValue, Props, RecordType, RemoteRecord } from './types.ts';
import { customcrmValue, equalValues, toCustomcrmPatch, toYouTrackPatch, youtrackValue } from './values.ts';

/**
 * A person's choice on a conflict, as ordinary plan actions: "apply the loser" writes the losing
 * value to each side that does not hold it (through the executor, so a refusal quarantines the
 * record instead of stopping the cycle) and makes it the new base; `resolved` closes the choice
 * in the same unit, so a write that fails leaves it pending for after the record is fixed.
 */

export interface ResolutionPair {
  linkId: number;
  ytType: RecordType;
  ytId: string;
  crmType: RecordType;
  crmId: string;
  base: Props;
}

export function planResolution(
  conflictId: number,
  row: MappingRow,
  link: ResolutionPair,
  yt: RemoteRecord,
  crm: RemoteRecord,
  value: PropValue,
): PlanAction[] {
  const { linkId, ytId, crmId } = link;
  const actions: PlanAction[] = [];
  const ytNow = youtrackValue(row, yt);
  if (!equalValues(row, ytNow, value) && row.direction !== 'to-customcrm')
    actions.push({
      kind: 'update',
      target: 'youtrack',
      type: link.ytType,
      id: ytId,
      linkId,
      ytId,
      crmId,
      patch: toYouTrackPatch(row, value, yt.props),
      changes: [{ row: row.name, from: ytNow, to: value }],
      by: 'operator',
    });
  const crmNow = customcrmValue(row, crm);
  if (!equalValues(row, crmNow, value) && row.direction !== 'to-youtrack')
    actions.push({
      kind: 'update',
      target: 'customcrm',
      type: link.crmType,
      id: crmId,
      linkId,
      ytId,
      crmId,
      patch: toCustomcrmPatch(row, value),
      ...(crm.version ? { ifMatch: crm.version } : {}),
      changes: [{ row: row.name, from: crmNow, to: value }],
      by: 'operator',
    });
  actions.push(
    { kind: 'setBase', linkId, ytId, crmId, base: { ...link.base, [row.name]: value } },
    { kind: 'resolved', conflictId, ytId, crmId },
  );
  return actions;
}
