import type { MappingRow } from './mapping.ts';
import type { Props, PropValue, RecordType, RemoteRecord, SystemName } from './types.ts';
import { isEmpty } from './values.ts';
import { labelOf, other } from './systems.ts';

/**
 * Checks that keep one bad record from breaking a cycle: a value of the wrong type on the source,
 * or a value the target would refuse. A failed check rejects the record; the others go on.
 */

export type RejectCode = 'INVALID_EMAIL' | 'TOO_LONG' | 'REQUIRED' | 'INVALID_CHARACTERS' | 'WRONG_TYPE';

export interface Rejection {
  system: SystemName;
  type: RecordType;
  id: string;
  code: RejectCode;
  property: string;
  reason: string;
}

// Tab and newline are text; CR only as part of a Windows line break. Other C0/C1 controls are not.
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\r(?!\n)/u;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

export function describeRecord(record: RemoteRecord): string {
  const p = record.props;
  const name = [p['login'], p['name'], p['Name'], p['Email'], p['fullName']].find(
    (v) => typeof v === 'string',
  );
  return `${labelOf(record.system)} ${record.type} ${name ? `'${String(name)}' ` : ''}(id ${record.id})`;
}

/** How a person recognises the record: its name and, for people, the e-mail ("Jiří Novák <jiri@x.cz>"). */
export function displayName(record: RemoteRecord): string {
  const p = record.props;
  const str = (v: PropValue | undefined) => (typeof v === 'string' ? v.trim() : '');
  const name =
    str(p['fullName']) ||
    str(p['name']) ||
    str(p['Name']) ||
    [str(p['FirstName']), str(p['LastName'])].filter(Boolean).join(' ') ||
    str(p['login']);
  const email = str(p['email']) || str(p['Email']);
  return [name || record.id, email ? `<${email}>` : ''].filter(Boolean).join(' ');
}

function sourceProps(row: MappingRow, system: SystemName): string[] {
  if (system === 'youtrack') return row.youtrack.split('|');
  return Array.isArray(row.customcrm) ? [...row.customcrm] : [row.customcrm as string];
}

function typeOk(row: MappingRow, system: SystemName, v: PropValue): boolean {
  if (v === null) return true;
  if (row.transform === 'reference' && system === 'youtrack') return Array.isArray(v);
  if (row.transform === 'negate') return typeof v === 'boolean';
  return typeof v === 'string' || (row.transform === 'copy' && typeof v === 'number');
}

function expected(row: MappingRow, system: SystemName): string {
  if (row.transform === 'reference') return system === 'youtrack' ? 'a list of ids' : 'a Customer id or null';
  return row.transform === 'negate' ? 'true or false' : 'text';
}

/** A mapped property of the wrong type on the record as read. */
export function checkSourceTypes(rows: readonly MappingRow[], record: RemoteRecord): Rejection | undefined {
  for (const row of rows)
    for (const prop of sourceProps(row, record.system)) {
      const v = record.props[prop];
      if (v === undefined || typeOk(row, record.system, v)) continue;
      return {
        system: record.system,
        type: record.type,
        id: record.id,
        code: 'WRONG_TYPE',
        property: prop,
        reason: `${describeRecord(record)} has ${JSON.stringify(v)} in '${prop}', expected ${expected(row, record.system)}; correct the value in ${labelOf(record.system)}.`,
      };
    }
  return undefined;
}

function lengthOf(s: string): number {
  return [...s].length;
}

/**
 * Checks a value about to be written from `source` to the other system. `patch` is what the row
 * writes there; maxLength applies to each Customcrm property (the limits are the Customcrm contract's).
 */
export function checkWrite(
  row: MappingRow,
  source: RemoteRecord,
  value: PropValue,
  patch: Props,
): Rejection | undefined {
  const target = other(source.system);
  const property = sourceProps(row, source.system).join('+');
  const into = `${labelOf(target)} '${target === 'youtrack' ? row.youtrack : sourceProps(row, 'customcrm').join('+')}'`;
  const fix = `Correct it in ${labelOf(source.system)}.`;
  const reject = (code: RejectCode, why: string): Rejection => ({
    system: source.system,
    type: source.type,
    id: source.id,
    code,
    property,
    reason: `${describeRecord(source)}: ${why}, so it cannot be written to ${into}. ${fix}`,
  });
  if (isEmpty(value))
    return row.validate?.required ? reject('REQUIRED', `'${property}' is empty but required`) : undefined;
  const texts = Object.values(patch).filter((v): v is string => typeof v === 'string');
  if (texts.some((t) => controlChars.test(t)))
    return reject(
      'INVALID_CHARACTERS',
      `'${property}' contains control characters (only tab and line breaks are allowed)`,
    );
  if (row.validate?.format === 'email' && typeof value === 'string' && !emailPattern.test(value.trim()))
    return reject(
      'INVALID_EMAIL',
      `'${property}' is ${JSON.stringify(value)}, which is not a valid e-mail address`,
    );
  const max = row.validate?.maxLength;
  if (max !== undefined && target === 'customcrm') {
    const tooLong = texts.find((t) => lengthOf(t) > max);
    if (tooLong !== undefined)
      return reject('TOO_LONG', `'${property}' is ${lengthOf(tooLong)} characters long, the limit is ${max}`);
  }
  return undefined;
}
