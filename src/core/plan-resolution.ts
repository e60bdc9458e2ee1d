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
  // Each side that does not hold the chosen value is written, where the row's direction allows.
  for (const side of ['youtrack', 'customcrm'] as const) {
    const now = side === 'youtrack' ? youtrackValue(row, yt) : customcrmValue(row, crm);
    const blocked = row.direction === (side === 'youtrack' ? 'to-customcrm' : 'to-youtrack');
    if (equalValues(row, now, value) || blocked) continue;
    actions.push({
      kind: 'update',
      target: side,
      type: side === 'youtrack' ? link.ytType : link.crmType,
      id: side === 'youtrack' ? ytId : crmId,
      linkId,
      ytId,
      crmId,
      patch: side === 'youtrack' ? toYouTrackPatch(row, value, yt.props) : toCustomcrmPatch(row, value),
      ...(side === 'customcrm' && crm.version ? { ifMatch: crm.version } : {}),
      changes: [{ row: row.name, from: now, to: value }],
      by: 'operator',
    });
  }
  actions.push(
    { kind: 'setBase', linkId, ytId, crmId, base: { ...link.base, [row.name]: value } },
    { kind: 'resolved', conflictId, ytId, crmId },
  );
  return actions;
}
