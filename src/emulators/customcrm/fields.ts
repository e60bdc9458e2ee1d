/**
 * The writable properties of the two Customcrm resources and the rules a write must meet.
 * The OpenAPI document (docs/customcrm-openapi.yaml) states the same limits; a test keeps
 * both in step by validating every server answer against it.
 */
export type CrmKind = 'customers' | 'contacts';

export interface FieldError {
  property: string;
  code:
    | 'unknown-property'
    | 'read-only'
    | 'invalid-type'
    | 'required'
    | 'too-long'
    | 'invalid-email'
    | 'unknown-reference'
    | 'duplicate';
  message: string;
}

interface StringField {
  type: 'string';
  maxLength: number;
  email?: boolean;
}
type Field = StringField | { type: 'boolean' } | { type: 'reference' } | { type: 'externalRefs' };

/** Strings without a limit in the contract get this one, so that a row stays a row. */
const OTHER_MAX = 1000;
const text = (maxLength = OTHER_MAX): StringField => ({ type: 'string', maxLength });

export const FIELDS: Record<CrmKind, Record<string, Field>> = {
  customers: {
    Name: text(200),
    StreetAddress1: text(),
    StreetAddress2: text(),
    City: text(),
    ZipCode: text(),
    Country: text(),
    Phone: text(),
    Email: { type: 'string', maxLength: 254, email: true },
    Website: text(),
    Fax: text(),
    Description: text(4000),
    ExternalRefs: { type: 'externalRefs' },
  },
  contacts: {
    FirstName: text(100),
    LastName: text(100),
    Email: { type: 'string', maxLength: 254, email: true },
    Phone: text(),
    Mobile: text(),
    Title: text(),
    Username: text(),
    Active: { type: 'boolean' },
    CustomerId: { type: 'reference' },
    ExternalRefs: { type: 'externalRefs' },
  },
};

export const READ_ONLY = ['Id', 'CreatedAt', 'UpdatedAt', 'Version', 'Deleted'];
export const EXTERNAL_REF_MAX_LENGTH = 200;
export const EXTERNAL_REFS_MAX = 50;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isValidEmail(value: string): boolean {
  return EMAIL.test(value.trim());
}

/** Lower-cased and trimmed: the form the `email` filter compares. */
export function normalizeEmail(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().toLowerCase() : null;
}

export interface ExternalRefValue {
  System: string;
  Type: string;
  Id: string;
}

/**
 * Checks the shape of a write body, property by property, and collects every failure
 * instead of stopping at the first. Cross-property rules (a contact's name, CustomerId
 * existing) are the caller's, because they depend on the stored record.
 */
export function checkWrite(
  kind: CrmKind,
  body: Record<string, unknown>,
  opts: { externalRefs: boolean },
): FieldError[] {
  const errors: FieldError[] = [];
  const fields = FIELDS[kind];
  const singular = kind === 'customers' ? 'Customer' : 'Contact';
  for (const [property, value] of Object.entries(body)) {
    if (READ_ONLY.includes(property)) {
      errors.push({ property, code: 'read-only', message: `${property} is set by the server; leave it out` });
      continue;
    }
    const field = fields[property];
    if (!field || (field.type === 'externalRefs' && !opts.externalRefs)) {
      errors.push({
        property,
        code: 'unknown-property',
        message: `${singular} has no property ${property}; known: ${Object.keys(fields)
          .filter((f) => opts.externalRefs || f !== 'ExternalRefs')
          .join(', ')}`,
      });
      continue;
    }
    errors.push(...checkValue(property, field, value));
  }
  return errors;
}

function checkValue(property: string, field: Field, value: unknown): FieldError[] {
  const wrongType = (expected: string): FieldError[] => [
    { property, code: 'invalid-type', message: `${property} must be ${expected}, got ${jsonType(value)}` },
  ];
  switch (field.type) {
    case 'string':
      if (value === null) return [];
      if (typeof value !== 'string') return wrongType('a string or null');
      if (value.length > field.maxLength)
        return [
          {
            property,
            code: 'too-long',
            message: `${property} has ${value.length} characters; at most ${field.maxLength} are allowed`,
          },
        ];
      if (field.email && !isValidEmail(value))
        return [
          { property, code: 'invalid-email', message: `${property} "${value}" is not an e-mail address` },
        ];
      return [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrongType('true or false');
    case 'reference':
      return value === null || typeof value === 'string' ? [] : wrongType('a customer Id or null');
    case 'externalRefs':
      return checkExternalRefs(property, value);
  }
}

function checkExternalRefs(property: string, value: unknown): FieldError[] {
  if (!Array.isArray(value))
    return [
      {
        property,
        code: 'invalid-type',
        message: `${property} must be an array of {System, Type, Id}, got ${jsonType(value)}`,
      },
    ];
  if (value.length > EXTERNAL_REFS_MAX)
    return [
      { property, code: 'too-long', message: `${property} holds at most ${EXTERNAL_REFS_MAX} entries` },
    ];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const at = `${property}[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      errors.push({
        property: at,
        code: 'invalid-type',
        message: `${at} must be an object {System, Type, Id}`,
      });
      return;
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e))
      if (!['System', 'Type', 'Id'].includes(key))
        errors.push({
          property: `${at}.${key}`,
          code: 'unknown-property',
          message: `${at} has no property ${key}; known: System, Type, Id`,
        });
    for (const key of ['System', 'Type', 'Id']) {
      const v = e[key];
      if (typeof v !== 'string' || v.trim() === '')
        errors.push({
          property: `${at}.${key}`,
          code: 'required',
          message: `${at}.${key} must be a non-empty string`,
        });
      else if (v.length > EXTERNAL_REF_MAX_LENGTH)
        errors.push({
          property: `${at}.${key}`,
          code: 'too-long',
          message: `${at}.${key} has ${v.length} characters; at most ${EXTERNAL_REF_MAX_LENGTH} are allowed`,
        });
      else if (key !== 'Id' && v.includes(':'))
        errors.push({
          property: `${at}.${key}`,
          code: 'invalid-type',
          message: `${at}.${key} must not contain ":" (it separates System:Type:Id in the externalRef filter)`,
        });
    }
    const k = externalRefKey(e as unknown as ExternalRefValue);
    if (seen.has(k))
      errors.push({
        property: at,
        code: 'duplicate',
        message: `${at} repeats an earlier entry; list each once`,
      });
    seen.add(k);
  });
  return errors;
}

export function externalRefKey(ref: ExternalRefValue): string {
  return `${ref.System}:${ref.Type}:${ref.Id}`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
