import type { FlowName, Props, PropValue, RecordType, SystemName } from '../core/types.ts';
import type { SqlRow } from './driver.ts';
import type { Conflict, CycleRecord, HistoryEntry, JournalEntry, Link, QuarantineEntry } from './types.ts';

/**
 * Rows to domain objects, the same for every database: drivers hand back JSON as text,
 * integers as numbers, booleans as 0/1 or true/false and timestamps as ISO text or Date.
 */
const text = (v: unknown): string => String(v);
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const int = (v: unknown): number => Number(v);
const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';
const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const time = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const timeOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : time(v));

/** ISO 8601 in UTC with milliseconds, so stored times compare correctly as text. */
export function isoTime(at: string | number): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a timestamp: ${JSON.stringify(at)}`);
  return d.toISOString();
}

export function toLink(r: SqlRow): Link {
  return {
    id: int(r.id),
    flow: text(r.flow) as FlowName,
    ytType: text(r.yt_type) as RecordType,
    ytId: text(r.yt_id),
    crmType: text(r.crm_type) as RecordType,
    crmId: text(r.crm_id),
    origin: text(r.origin) as Link['origin'],
    status: text(r.status) as Link['status'],
    base: json<Props>(r.base),
    ytHash: textOrNull(r.yt_hash),
    crmHash: textOrNull(r.crm_hash),
    crmVersion: textOrNull(r.crm_version),
    label: text(r.label),
    createdAt: time(r.created_at),
    updatedAt: time(r.updated_at),
  };
}

export function toHistory(r: SqlRow): HistoryEntry {
  return {
    id: int(r.id),
    at: time(r.at),
    cycleId: intOrNull(r.cycle_id),
    linkId: intOrNull(r.link_id),
    flow: text(r.flow) as FlowName,
    system: text(r.system) as SystemName,
    recordId: text(r.record_id),
    property: textOrNull(r.property),
    oldValue: json<PropValue>(r.old_value),
    newValue: json<PropValue>(r.new_value),
    source: text(r.source) as HistoryEntry['source'],
    action: text(r.action) as HistoryEntry['action'],
    note: textOrNull(r.note),
  };
}

export function toConflict(r: SqlRow): Conflict {
  return {
    id: int(r.id),
    linkId: int(r.link_id),
    flow: text(r.flow) as FlowName,
    property: text(r.property),
    winnerSide: text(r.winner_side) as SystemName,
    winnerValue: json<PropValue>(r.winner_value),
    loserSide: text(r.loser_side) as SystemName,
    loserValue: json<PropValue>(r.loser_value),
    status: text(r.status) as Conflict['status'],
    pending: bool(r.pending),
    at: time(r.at),
    resolvedAt: timeOrNull(r.resolved_at),
    resolvedBy: textOrNull(r.resolved_by),
  };
}

export function toQuarantine(r: SqlRow): QuarantineEntry {
  return {
    id: int(r.id),
    system: text(r.system) as SystemName,
    recordType: text(r.record_type) as RecordType,
    recordId: text(r.record_id),
    flow: text(r.flow) as FlowName,
    code: text(r.code),
    property: textOrNull(r.property),
    reason: text(r.reason),
    attempts: int(r.attempts),
    firstSeen: time(r.first_seen),
    lastSeen: time(r.last_seen),
    retryRequested: bool(r.retry_requested),
    status: text(r.status) as QuarantineEntry['status'],
  };
}

export function toJournal(r: SqlRow): JournalEntry {
  return {
    id: int(r.id),
    key: text(r.key),
    flow: text(r.flow) as FlowName,
    op: text(r.op) as JournalEntry['op'],
    targetSystem: text(r.target_system) as SystemName,
    targetType: text(r.target_type) as RecordType,
    sourceSystem: text(r.source_system) as SystemName,
    sourceId: text(r.source_id),
    payload: json<Props>(r.payload),
    status: text(r.status) as JournalEntry['status'],
    targetId: textOrNull(r.target_id),
    error: textOrNull(r.error),
    createdAt: time(r.created_at),
    completedAt: timeOrNull(r.completed_at),
  };
}

export function toCycle(r: SqlRow): CycleRecord {
  const cycle: CycleRecord = {
    id: int(r.id),
    connection: text(r.connection),
    kind: text(r.kind),
    status: text(r.status) as CycleRecord['status'],
    writes: int(r.writes),
    stats: json<CycleRecord['stats']>(r.stats),
    startedAt: time(r.started_at),
    finishedAt: timeOrNull(r.finished_at),
  };
  if (r.message !== null && r.message !== undefined) cycle.message = text(r.message);
  return cycle;
}
