import type { MappingRow } from './mapping.ts';
import { deactivation } from './plan-create.ts';
import type { LinkState, PlanAction } from './plan-types.ts';
import type { PropValue, RecordType, RemoteRecord, SystemName } from './types.ts';
import {
  customcrmValue,
  equalValues,
  toCustomcrmPatch,
  toYouTrackPatch,
  youtrackValue,
  type RefResolver,
} from './values.ts';

/**
 * Undo of one cycle, for one link, as ordinary plan actions (issue 14). Pure: from the cycle's
 * history rows of the link, the link and both records as they are now, the actions that put back
 * what the cycle wrote. A field changed since by someone else is a conflict for review, not an
 * overwrite; a record the cycle created is deleted (or a Contact deactivated, with the
 * `deactivate` policy) and its link marked, so the next cycle does not make it again.
 */

export interface UndoEntry {
  action: 'created' | 'updated' | 'resolved' | string;
  system: SystemName;
  recordId: string;
  property: string | null;
  oldValue: PropValue;
  newValue: PropValue;
}

export interface UndoInput {
  rows: readonly MappingRow[];
  types: Record<SystemName, RecordType>;
  link: LinkState;
  /** The cycle's history rows of this link, oldest first. */
  entries: readonly UndoEntry[];
  youtrack: RemoteRecord | null;
  customcrm: RemoteRecord | null;
  refs: RefResolver;
  deletes: 'keep' | 'deactivate' | 'propagate';
  /** The cycle undone, for the history. */
  cycleId: number;
}

export function planUndo(input: UndoInput): PlanAction[] {
  const { link, entries } = input;
  const ids = { linkId: link.id, ytId: link.ytId, crmId: link.crmId };
  const created = entries.find((e) => e.action === 'created');
  if (created) {
    const type = input.types[created.system];
    const undoCreate: PlanAction =
      input.deletes === 'deactivate' && type === 'Contact'
        ? deactivation(created.recordId, link.id)
        : { kind: 'delete', target: created.system, type, id: created.recordId, linkId: link.id };
    return [
      undoCreate,
      { kind: 'markDeleted', linkId: link.id, side: created.system, recordId: created.recordId },
    ];
  }
  // Per side and row: the value before the cycle's first write and after its last one.
  const writes = new Map<
    string,
    { system: SystemName; row: MappingRow; before: PropValue; after: PropValue }
  >();
  for (const e of entries) {
    if ((e.action !== 'updated' && e.action !== 'resolved') || e.property === null) continue;
    const row = input.rows.find((r) => r.name === e.property);
    if (!row) continue;
    const key = `${e.system}:${row.name}`;
    const seen = writes.get(key);
    writes.set(key, { system: e.system, row, before: seen ? seen.before : e.oldValue, after: e.newValue });
  }
  const actions: PlanAction[] = [];
  const base: Record<string, PropValue> = { ...link.base };
  const patches: Record<SystemName, Record<string, PropValue>> = { youtrack: {}, customcrm: {} };
  const changes: Record<SystemName, Array<{ row: string; from: PropValue; to: PropValue }>> = {
    youtrack: [],
    customcrm: [],
  };
  for (const w of writes.values()) {
    const record = w.system === 'youtrack' ? input.youtrack : input.customcrm;
    if (!record) continue;
    const now =
      w.system === 'youtrack' ? youtrackValue(w.row, record, input.refs) : customcrmValue(w.row, record);
    if (!equalValues(w.row, now, w.after)) {
      // Changed since the cycle: a person decides (tandem review), nothing is overwritten.
      actions.push({
        kind: 'conflict',
        ...ids,
        row: w.row.name,
        winner: w.system,
        winnerValue: now,
        loser: w.system,
        loserValue: w.before,
      });
      continue;
    }
    Object.assign(
      patches[w.system],
      w.system === 'youtrack'
        ? toYouTrackPatch(w.row, w.before, record.props, input.refs)
        : toCustomcrmPatch(w.row, w.before),
    );
    changes[w.system].push({ row: w.row.name, from: now, to: w.before });
    base[w.row.name] = w.before;
  }
  for (const system of ['customcrm', 'youtrack'] as const) {
    const record = system === 'youtrack' ? input.youtrack : input.customcrm;
    if (!record || changes[system].length === 0) continue;
    actions.push({
      kind: 'update',
      target: system,
      type: input.types[system],
      id: record.id,
      ...ids,
      patch: patches[system],
      ...(record.version !== undefined ? { ifMatch: record.version } : {}),
      changes: changes[system],
      by: 'operator',
      note: `undo of cycle ${input.cycleId}`,
    });
  }
  if (changes.customcrm.length + changes.youtrack.length > 0) actions.push({ kind: 'setBase', ...ids, base });
  return actions;
}
