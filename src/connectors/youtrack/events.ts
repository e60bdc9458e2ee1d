import type { YouTrackType } from '../../core/types.ts';

/**
 * Hub's audit events, read for one purpose: which records to read again. Hub's model
 * (hub-rest-client `event.py`) gives an event `id`, `targetId`, `targetType`, `type` and
 * `changes`; a change is `{type, fieldName?, fieldType?}` plus `oldValue`/`newValue`
 * (PrimitiveChange) or `childChanges` (AggregationChange). The strings inside (event kinds,
 * target types, where a membership edit is logged) are not public, so nothing here depends on
 * one spelling: an event on a user, group or organization re-reads it, and a group or
 * organization event that may hide a membership edit either names its members by id or makes
 * the caller read every user.
 */

export interface ChangeTarget {
  type: YouTrackType;
  id: string;
  /** The event says the target was deleted; otherwise the current record decides. */
  deleted: boolean;
  /** Named by a membership change only: when it cannot be read it is skipped, never deleted. */
  member?: boolean;
  at?: string;
}

export interface EventReading {
  targets: ChangeTarget[];
  /** Types an event could not be interpreted for: the caller reads them in full. */
  fullRead: Set<YouTrackType>;
  /** Why, one line per kind of event not understood (for the one warning). */
  unknown: string[];
}

const ALL_TYPES: readonly YouTrackType[] = ['Organization', 'Group', 'User'];
/** Target types Hub logs that are not part of the directory: ignored without a warning. */
const OTHER_TARGETS =
  /^(project|projectteam|team|role|projectrole|service|authmodule|permission|settings|dashboard|widget|license|token|permanenttoken|session|alias|details|avatar)$/;

export function targetTypeOf(targetType: unknown): YouTrackType | 'other' | undefined {
  if (typeof targetType !== 'string' || targetType.trim() === '') return undefined;
  const t = targetType
    .toLowerCase()
    .replace(/[^a-z]/g, '')
    .replace(/json$/, '');
  if (t === 'user') return 'User';
  if (t === 'usergroup' || t === 'group' || t === 'nestedgroup') return 'Group';
  if (t === 'organization' || t === 'org') return 'Organization';
  if (OTHER_TARGETS.test(t)) return 'other';
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isDeleteKind = (type: unknown) =>
  typeof type === 'string' && /^(delete|deleted|remove|removed)$/i.test(type);

/** Hub ids are UUIDs (project teams add `_team`); a login or a name is not an id. */
const HUB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(_[a-z]+)?$/i;

function iso(ts: unknown): string | undefined {
  if (typeof ts !== 'number' && typeof ts !== 'string') return undefined;
  const n = typeof ts === 'number' ? ts : Number(ts);
  const d = new Date(Number.isFinite(n) ? n : String(ts));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const MEMBERSHIP_FIELD = /^(own)?users$|member|^groups$|^organizations$/i;

/**
 * The member ids a membership change names, or undefined when it is a membership change whose
 * members cannot be told (values that are not ids, or no values at all). Not a membership
 * change: an empty list.
 */
function memberIds(change: unknown, inMembership = false): string[] | undefined {
  if (!isObject(change)) return undefined;
  const field = typeof change['fieldName'] === 'string' ? change['fieldName'] : change['field'];
  if (!inMembership && typeof field !== 'string') return undefined;
  const membership =
    inMembership ||
    (typeof field === 'string' && MEMBERSHIP_FIELD.test(field)) ||
    (typeof change['fieldType'] === 'string' && /^user$/i.test(change['fieldType']));
  if (!membership) return [];
  const ids: string[] = [];
  let named = false;
  for (const key of ['oldValue', 'newValue', 'added', 'removed'] as const) {
    const v = change[key];
    if (v === undefined || v === null) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      const id = typeof x === 'string' ? x : isObject(x) && typeof x['id'] === 'string' ? x['id'] : undefined;
      if (id === undefined || !HUB_ID.test(id)) return undefined;
      ids.push(id);
      named = true;
    }
  }
  const children = change['childChanges'];
  if (Array.isArray(children) && children.length > 0) {
    for (const c of children) {
      const sub = memberIds(c, true);
      if (sub === undefined) return undefined;
      ids.push(...sub);
    }
    named = true;
  }
  return named ? ids : undefined;
}

/**
 * Maps a batch of events to one change per record, in order of its last event. What cannot be
 * interpreted never fails the batch: it names a type to read in full.
 */
export function interpretEvents(events: readonly unknown[]): EventReading {
  const byKey = new Map<string, ChangeTarget>();
  const fullRead = new Set<YouTrackType>();
  const unknown = new Set<string>();
  const put = (t: ChangeTarget) => {
    const key = `${t.type}:${t.id}`;
    const before = byKey.get(key);
    byKey.delete(key);
    byKey.set(key, before && !before.member && t.member ? { ...t, member: false } : t);
  };
  const giveUp = (types: readonly YouTrackType[], why: string) => {
    for (const t of types) fullRead.add(t);
    unknown.add(why);
  };
  for (const e of events) {
    if (!isObject(e)) {
      giveUp(ALL_TYPES, 'an event that is not a JSON object');
      continue;
    }
    const type = targetTypeOf(e['targetType']);
    if (type === 'other') continue;
    const targetId = typeof e['targetId'] === 'string' && e['targetId'] ? e['targetId'] : undefined;
    if (type === undefined || targetId === undefined) {
      const shown = typeof e['targetType'] === 'string' ? `"${e['targetType']}"` : 'none';
      giveUp(
        type ? [type] : ALL_TYPES,
        `an event with target type ${shown} and ${targetId ? 'a' : 'no'} target id`,
      );
      continue;
    }
    const at = iso(e['timestamp']);
    const when = at ? { at } : {};
    put({ type, id: targetId, deleted: isDeleteKind(e['type']), ...when });
    if (type === 'User') continue;
    const changes = e['changes'];
    if (changes !== undefined && changes !== null && !Array.isArray(changes)) {
      giveUp(['User'], `a ${type} event whose changes are not a list`);
      continue;
    }
    for (const c of changes ?? []) {
      const ids = memberIds(c);
      if (ids === undefined) {
        giveUp(['User'], `a ${type} change that may edit members but names none by id`);
        break;
      }
      for (const id of ids) put({ type: 'User', id, deleted: false, member: true, ...when });
    }
  }
  return { targets: [...byKey.values()], fullRead, unknown: [...unknown] };
}

/** Event ids are numbers in practice (`afterId:` takes a number); compared as such when they are. */
export function laterId(a: string, b: string): string {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return nb > na ? b : a;
  return b > a ? b : a;
}
