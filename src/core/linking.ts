import type { FlowMapping, MappingRow } from './mapping.ts';
import type { RemoteRecord, SystemName } from './types.ts';
import { customcrmValue, youtrackValue } from './values.ts';
import { SYSTEMS } from './systems.ts';

/**
 * Links unlinked records by a criterion: Users ⇄ Contacts by e-mail, Organizations/Groups ⇄
 * Customers by name (only when the user turns it on). Records of one system that share a
 * criterion are reported and none of them is linked: guessing would join the wrong people.
 */

export interface DuplicateReport {
  code: 'DUPLICATE_EMAIL' | 'DUPLICATE_NAME';
  system: SystemName;
  ids: string[];
  /** The shared value as the first record holds it. */
  value: string;
}

export interface MatchResult {
  pairs: Array<{ ytId: string; crmId: string }>;
  duplicates: DuplicateReport[];
}

/**
 * The YouTrack id a Customcrm record names as its origin: the ExternalRef Tandem wrote when it
 * created the record, else the id in the CRM's reference property (`originId`, for CRMs without
 * ExternalRefs). A store that lost its links relinks such pairs first, before any criterion (a
 * renamed record, or one of two Contacts sharing an e-mail, is still found). The reference property
 * holds an id without its type: Hub ids are unique across users, groups and organizations, so it
 * can only join the record it names.
 */
export function originRef(flow: FlowMapping, crm: RemoteRecord): string | undefined {
  const { refName } = SYSTEMS.youtrack;
  return (
    crm.externalRefs?.find((x) => x.System === refName && x.Type === flow.youtrackType)?.Id ?? crm.originId
  );
}

/** NFC, trimmed, case-insensitive, runs of white space as one space. */
export function normalizeKey(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export interface Keyed {
  unique: Map<string, RemoteRecord>;
  duplicates: DuplicateReport[];
}

/**
 * How one system's records are keyed for matching, or undefined when the flow matches nothing (no
 * criterion row, or a reference row, which has no meaning as a key).
 */
export function matchCriterion(
  flow: FlowMapping,
): { code: DuplicateReport['code']; read: Record<SystemName, (r: RemoteRecord) => unknown> } | undefined {
  const row: MappingRow | undefined = flow.rows.find((r) => r.name === flow.matchBy);
  if (!row || row.transform === 'reference') return undefined;
  return {
    code: row.compare === 'email' ? 'DUPLICATE_EMAIL' : 'DUPLICATE_NAME',
    read: { youtrack: (r) => youtrackValue(row, r), customcrm: (r) => customcrmValue(row, r) },
  };
}

/** The normalized key of a criterion value; undefined for a value that cannot match (not text, blank). */
export function matchKey(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return normalizeKey(value);
}

/** Records of one system keyed by the criterion: unique keys, and a report per shared one. */
export function keyRecords(
  records: readonly RemoteRecord[],
  system: SystemName,
  read: (r: RemoteRecord) => unknown,
  code: DuplicateReport['code'],
): Keyed {
  const groups = new Map<string, RemoteRecord[]>();
  for (const r of records) {
    const key = matchKey(read(r));
    if (key === undefined) continue;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const unique = new Map<string, RemoteRecord>();
  const duplicates: DuplicateReport[] = [];
  for (const [key, group] of groups) {
    const [first] = group;
    if (group.length === 1 && first) unique.set(key, first);
    else if (first)
      duplicates.push({ code, system, ids: group.map((r) => r.id), value: String(read(first)) });
  }
  return { unique, duplicates };
}

/** `youtrack` and `customcrm` must hold only unlinked records: linked ones are not candidates. */
export function matchRecords(
  flow: FlowMapping,
  youtrack: readonly RemoteRecord[],
  customcrm: readonly RemoteRecord[],
): MatchResult {
  const criterion = matchCriterion(flow);
  if (!criterion) return { pairs: [], duplicates: [] };
  const { code, read } = criterion;
  const yt = keyRecords(youtrack, 'youtrack', read.youtrack, code);
  const crm = keyRecords(customcrm, 'customcrm', read.customcrm, code);
  const pairs: MatchResult['pairs'] = [];
  for (const [key, y] of yt.unique) {
    const c = crm.unique.get(key);
    if (c) pairs.push({ ytId: y.id, crmId: c.id });
  }
  return { pairs, duplicates: [...yt.duplicates, ...crm.duplicates] };
}
