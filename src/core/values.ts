import type { MappingRow } from './mapping.ts';
import type { Props, PropValue } from './types.ts';

/**
 * The canonical value of a mapping row, read from either side, and the props that write it back.
 * Canonical values use YouTrack's meaning (`banned`, the full name), except the reference row,
 * whose canonical value is the Customcrm Customer id.
 */

export type ContainerType = 'Organization' | 'Group';

/** Knows the links of the organizations and groups flows, so that a Contact's company can be resolved. */
export interface RefResolver {
  customerForYouTrack(type: ContainerType, id: string): string | undefined;
  youtrackForCustomer(customerId: string): { type: ContainerType; id: string } | undefined;
}

interface HasProps {
  props: Props;
}

const containerOf = { organizations: 'Organization', groups: 'Group' } as const;
const membershipOf = { Organization: 'organizations', Group: 'groups' } as const;

/** null, a blank string and an empty list are all "no value". */
export function isEmpty(v: PropValue | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  return Array.isArray(v) && v.length === 0;
}

function normalizeString(compare: MappingRow['compare'], s: string): string {
  if (compare === 'exact') return s;
  const t = s.trim();
  return compare === 'email' ? t.toLowerCase() : t;
}

/** Equality under the row's `compare`; all empty values are equal; lists compare as sets. */
export function equalValues(row: MappingRow, a: PropValue | undefined, b: PropValue | undefined): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  if (typeof a === 'string' && typeof b === 'string')
    return normalizeString(row.compare, a) === normalizeString(row.compare, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const sa = [...new Set(a)].sort();
    const sb = [...new Set(b)].sort();
    return sa.length === sb.length && sa.every((x, i) => x === sb[i]);
  }
  return a === b;
}

/** Full names compare and travel with single spaces, so a re-split never looks like an edit. */
function normalizeName(s: string): string {
  return s.trim().replace(/\s+/g, ' ');
}

function stringList(v: PropValue | undefined): readonly string[] {
  return Array.isArray(v) ? v : [];
}

function needRefs(row: MappingRow, refs: RefResolver | undefined): RefResolver {
  if (!refs) throw new Error(`mapping row '${row.name}' is a reference and needs a RefResolver`);
  return refs;
}

function resolveCompany(row: MappingRow, props: Props, refs: RefResolver): string | null {
  for (const prop of row.youtrack.split('|') as Array<keyof typeof containerOf>) {
    for (const id of stringList(props[prop])) {
      const customer = refs.customerForYouTrack(containerOf[prop], id);
      if (customer !== undefined) return customer;
    }
  }
  return null;
}

export function youtrackValue(row: MappingRow, record: HasProps, refs?: RefResolver): PropValue {
  const raw = record.props[row.youtrack] ?? null;
  switch (row.transform) {
    case 'splitName':
      return typeof raw === 'string' ? normalizeName(raw) : raw;
    case 'reference':
      return resolveCompany(row, record.props, needRefs(row, refs));
    default:
      return raw;
  }
}

export function customcrmValue(row: MappingRow, record: HasProps): PropValue {
  if (Array.isArray(row.customcrm)) {
    const parts = row.customcrm.map((p) => record.props[p]);
    const words = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
    return words.length === 0 ? null : normalizeName(words.join(' '));
  }
  const raw = record.props[row.customcrm as string] ?? null;
  if (row.transform === 'negate') return typeof raw === 'boolean' ? !raw : null;
  return raw;
}

/**
 * `first-word` (default): the first word, then the rest ("Ingrid" / "Marie Solberg").
 * `last-word`: everything but the last word, then the last word ("Ingrid Marie" / "Solberg").
 * One word is always the first part.
 */
export function splitName(value: string, how: 'first-word' | 'last-word' = 'first-word'): [string, string] {
  const name = normalizeName(value);
  const m = how === 'last-word' ? /^(.+)\s(\S+)$/s.exec(name) : /^(\S+)\s*(.*)$/s.exec(name);
  if (m) return [m[1] ?? '', m[2] ?? ''];
  return [name, ''];
}

export function toCustomcrmPatch(row: MappingRow, value: PropValue): Props {
  if (Array.isArray(row.customcrm)) {
    const [first, last] = row.customcrm as [string, string];
    if (typeof value !== 'string') return { [first]: null, [last]: null };
    const [f, l] = splitName(value, row.split);
    return { [first]: f, [last]: l };
  }
  const prop = row.customcrm as string;
  if (row.transform === 'negate') return { [prop]: typeof value === 'boolean' ? !value : null };
  return { [prop]: value };
}

/**
 * For the reference row, `current` is the user's current props: the new company's container is
 * added and only the container the old company pointed to is removed; other memberships stay.
 */
export function toYouTrackPatch(
  row: MappingRow,
  value: PropValue,
  current: Props,
  refs?: RefResolver,
): Props {
  if (row.transform !== 'reference') return { [row.youtrack]: value };
  const r = needRefs(row, refs);
  const lists: Record<string, string[]> = {};
  const list = (prop: string) => (lists[prop] ??= [...stringList(current[prop])]);
  const old = resolveCompany(row, current, r);
  const oldContainer = old === null ? undefined : r.youtrackForCustomer(old);
  if (oldContainer) {
    const prop = membershipOf[oldContainer.type];
    lists[prop] = list(prop).filter((id) => id !== oldContainer.id);
  }
  const target = typeof value === 'string' ? r.youtrackForCustomer(value) : undefined;
  if (target) {
    // First in the list, so that the new company wins the resolution among several memberships.
    const prop = membershipOf[target.type];
    lists[prop] = [target.id, ...list(prop).filter((id) => id !== target.id)];
  }
  return lists;
}
