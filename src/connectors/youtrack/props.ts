import type { Props, PropValue, RecordType } from '../../core/types.ts';
import { ConnectorError } from '../types.ts';
import type { NamedFields, UserFields } from './writes.ts';

/** Checks the value types of the props the connector writes; extra or read-only props are ignored. */
function invalid(
  type: RecordType,
  property: string,
  value: PropValue | undefined,
  want: string,
): ConnectorError {
  return new ConnectorError(
    'INVALID_RECORD',
    `youtrack: ${type} property "${property}" must be ${want}, got ${JSON.stringify(value ?? null)}; fix the mapping or the source value`,
    { system: 'youtrack', type, property, ...(value !== undefined ? { value } : {}) },
  );
}

function str(type: RecordType, p: Props, key: string, nullable = false): string | null | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (v === null && nullable) return null;
  throw invalid(type, key, v, nullable ? 'a string or null' : 'a string');
}

export function userFields(p: Props): UserFields {
  const out: UserFields = {};
  const login = str('User', p, 'login');
  if (login !== undefined && login !== null) out.login = login.trim();
  const fullName = str('User', p, 'fullName');
  if (fullName !== undefined && fullName !== null) out.fullName = fullName;
  const email = str('User', p, 'email', true);
  if (email !== undefined) out.email = email ? email.trim() : null;
  const banned = p['banned'];
  if (banned !== undefined) {
    if (typeof banned !== 'boolean') throw invalid('User', 'banned', banned, 'true or false');
    out.banned = banned;
  }
  return out;
}

export function requireLogin(p: Props): string {
  const login = userFields(p).login;
  if (!login) throw invalid('User', 'login', p['login'], 'a non-empty login (a YouTrack user needs one)');
  return login;
}

export function namedFields(type: RecordType, p: Props): NamedFields {
  const out: NamedFields = {};
  const name = str(type, p, 'name');
  if (name !== undefined && name !== null) out.name = name.trim();
  const description = str(type, p, 'description', true);
  if (description !== undefined) out.description = description ?? '';
  return out;
}

export function requireName(type: RecordType, p: Props): string {
  const name = namedFields(type, p).name;
  if (!name) throw invalid(type, 'name', p['name'], 'a non-empty name');
  return name;
}

/** Membership ids of a patch, or undefined when the patch does not touch them. */
export function idList(type: RecordType, p: Props, key: string): string[] | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return [...new Set(v as string[])];
  throw invalid(type, key, v, 'a list of Hub ids');
}

/** Keeps only the fields whose value differs from the current record: unchanged values are never rewritten. */
export function changedOnly<T extends object>(want: T, current: Props): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(want) as Array<keyof T & string>) if (current[k] !== want[k]) out[k] = want[k];
  return out;
}
