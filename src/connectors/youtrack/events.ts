import type { YouTrackType } from '../../core/types.ts';
import type { HubEvent } from './wire.ts';

export interface ChangeTarget {
  type: YouTrackType;
  id: string;
  /** The event itself says the target was deleted; otherwise the current record decides. */
  deleted: boolean;
  at?: string;
}

export function targetTypeOf(targetType: string | null | undefined): YouTrackType | undefined {
  const t = (targetType ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (t === 'user') return 'User';
  if (t === 'usergroup' || t === 'group') return 'Group';
  if (t === 'organization') return 'Organization';
  return undefined;
}

const isDeleteEvent = (type: string | null | undefined) =>
  /^(delete|deleted|remove|removed)$/i.test(type ?? '');

/** Ids named by a membership change (`added`/`removed` as ids, `{id}` objects or lists of them). */
function memberIds(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(memberIds);
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string')
    return [(value as { id: string }).id];
  return [];
}

function iso(ts: HubEvent['timestamp']): string | undefined {
  if (ts === null || ts === undefined) return undefined;
  const d = new Date(typeof ts === 'number' ? ts : Number.isFinite(Number(ts)) ? Number(ts) : ts);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * Maps audit events to one change per record, in order of their last event. A membership
 * change on a group or an organization also changes the members' `groups`/`organizations`,
 * so the users it names become user changes too. Events on other targets (projects...) are
 * ignored.
 */
export function changeTargets(events: readonly HubEvent[]): ChangeTarget[] {
  const byKey = new Map<string, ChangeTarget>();
  const put = (t: ChangeTarget) => {
    const key = `${t.type}:${t.id}`;
    byKey.delete(key);
    byKey.set(key, t);
  };
  for (const e of events) {
    const type = targetTypeOf(e.targetType);
    if (!type || !e.targetId) continue;
    const at = iso(e.timestamp);
    put({ type, id: e.targetId, deleted: isDeleteEvent(e.type), ...(at ? { at } : {}) });
    if (type === 'User') continue;
    for (const c of e.changes ?? []) {
      if (!/user|member/i.test(c.field ?? '')) continue;
      for (const id of [...memberIds(c.added), ...memberIds(c.removed)])
        put({ type: 'User', id, deleted: false, ...(at ? { at } : {}) });
    }
  }
  return [...byKey.values()];
}

/** Event ids are numbers; compared as such so "10" comes after "9". */
export function laterId(a: string, b: string): string {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return nb > na ? b : a;
  return b > a ? b : a;
}
