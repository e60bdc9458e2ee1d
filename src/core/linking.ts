import type { FlowMapping, MappingRow } from './mapping.ts';
import type { RemoteRecord, SystemName } from './types.ts';
import { customcrmValue, youtrackValue } from './values.ts';

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

/** NFC, trimmed, case-insensitive, runs of white space as one space. */
export function normalizeKey(s: string): string {
  return s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

interface Keyed {
  unique: Map<string, RemoteRecord>;
  duplicates: DuplicateReport[];
}

function keyRecords(
  records: readonly RemoteRecord[],
  system: SystemName,
  read: (r: RemoteRecord) => unknown,
  code: DuplicateReport['code'],
): Keyed {
  const groups = new Map<string, RemoteRecord[]>();
  for (const r of records) {
    const v = read(r);
    if (typeof v !== 'string' || v.trim() === '') continue;
    const key = normalizeKey(v);
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
  const row: MappingRow | undefined = flow.rows.find((r) => r.name === flow.matchBy);
  if (!row) return { pairs: [], duplicates: [] };
  const code = row.compare === 'email' ? 'DUPLICATE_EMAIL' : 'DUPLICATE_NAME';
  // The criterion is a plain value; a reference row has no meaning as a key.
  if (row.transform === 'reference') return { pairs: [], duplicates: [] };
  const yt = keyRecords(youtrack, 'youtrack', (r) => youtrackValue(row, r), code);
  const crm = keyRecords(customcrm, 'customcrm', (r) => customcrmValue(row, r), code);
  const pairs: MatchResult['pairs'] = [];
  for (const [key, y] of yt.unique) {
    const c = crm.unique.get(key);
    if (c) pairs.push({ ytId: y.id, crmId: c.id });
  }
  return { pairs, duplicates: [...yt.duplicates, ...crm.duplicates] };
}
