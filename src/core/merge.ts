import type { MappingRow } from './mapping.ts';
import type { PropValue, SystemName } from './types.ts';
import { equalValues, isEmpty } from './values.ts';
import { other } from './systems.ts';

/** Field-level three-way merge of one mapping row against its last synchronized (base) value. */

export interface MergeInput {
  row: MappingRow;
  /** The last synchronized value; undefined = never synced (first link, or a row added to the mapping). */
  base: PropValue | undefined;
  youtrack: PropValue;
  customcrm: PropValue;
  youtrackChangedAt?: string;
  customcrmChangedAt?: string;
  priority: SystemName;
}

export interface Conflict {
  winner: SystemName;
  winnerValue: PropValue;
  loser: SystemName;
  loserValue: PropValue;
}

export interface MergeResult {
  /** The agreed value: the new base. */
  value: PropValue;
  writeYouTrack: boolean;
  writeCustomcrm: boolean;
  conflict?: Conflict;
}

function time(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Both sides changed the value. A clear loses to a concurrent edit (data must not get poorer);
 * otherwise the newer change wins. A side without a usable timestamp cannot prove it is newer,
 * so an unknown time falls back to the priority, like a tie.
 */
function pickWinner(input: MergeInput): SystemName {
  const yEmpty = isEmpty(input.youtrack);
  if (yEmpty !== isEmpty(input.customcrm)) return yEmpty ? 'customcrm' : 'youtrack';
  const y = time(input.youtrackChangedAt);
  const c = time(input.customcrmChangedAt);
  if (y === undefined || c === undefined || y === c) return input.priority;
  return y > c ? 'youtrack' : 'customcrm';
}

function take(input: MergeInput, winner: SystemName, conflict: boolean): MergeResult {
  const value = winner === 'youtrack' ? input.youtrack : input.customcrm;
  const result: MergeResult = {
    value,
    writeYouTrack: winner === 'customcrm',
    writeCustomcrm: winner === 'youtrack',
  };
  if (conflict) {
    const loser = other(winner);
    result.conflict = {
      winner,
      winnerValue: value,
      loser,
      loserValue: loser === 'youtrack' ? input.youtrack : input.customcrm,
    };
  }
  return result;
}

const nothing = (value: PropValue): MergeResult => ({ value, writeYouTrack: false, writeCustomcrm: false });

/**
 * A one-way row follows its source: the source's changes are copied, an edit of the copy is left
 * alone until the source changes again (then it is overwritten and reported as a conflict).
 */
function mergeOneWay(input: MergeInput, source: SystemName): MergeResult {
  const s = source === 'youtrack' ? input.youtrack : input.customcrm;
  const t = source === 'youtrack' ? input.customcrm : input.youtrack;
  const { row, base } = input;
  if (equalValues(row, s, t)) return nothing(s);
  const sourceChanged = base === undefined || !equalValues(row, s, base);
  if (!sourceChanged) return nothing(s);
  // An empty source never clears the copy on a first link: there was no value to empty.
  if (base === undefined && isEmpty(s)) return nothing(s);
  const targetChanged = base === undefined ? !isEmpty(t) : !equalValues(row, t, base);
  return take(input, source, targetChanged);
}

export function mergeValue(input: MergeInput): MergeResult {
  const { row, base, youtrack: y, customcrm: c } = input;
  if (row.direction === 'to-customcrm') return mergeOneWay(input, 'youtrack');
  if (row.direction === 'to-youtrack') return mergeOneWay(input, 'customcrm');
  if (equalValues(row, y, c)) return nothing(y);
  if (base === undefined) {
    if (isEmpty(y)) return take(input, 'customcrm', false);
    if (isEmpty(c)) return take(input, 'youtrack', false);
    return take(input, input.priority, true);
  }
  const yChanged = !equalValues(row, y, base);
  const cChanged = !equalValues(row, c, base);
  if (yChanged && !cChanged) return take(input, 'youtrack', false);
  if (cChanged && !yChanged) return take(input, 'customcrm', false);
  return take(input, pickWinner(input), true);
}
