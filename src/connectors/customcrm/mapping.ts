import { createHash } from 'node:crypto';
import type { CustomcrmType, ExternalRef, Props, PropValue, RemoteRecord } from '../../core/types.ts';
import type { CrmProfile, TimestampFormat, ValueType } from './profile.ts';

/** The properties of each type under their contract names, as records expose them in `props`. */
export const CONTRACT_PROPERTIES: Readonly<Record<CustomcrmType, readonly string[]>> = {
  Customer: [
    'Name',
    'StreetAddress1',
    'StreetAddress2',
    'City',
    'ZipCode',
    'Country',
    'Phone',
    'Email',
    'Website',
    'Fax',
    'Description',
  ],
  Contact: ['FirstName', 'LastName', 'Email', 'Phone', 'Mobile', 'Title', 'Username', 'Active', 'CustomerId'],
};

/** A deleted record as an incremental read or a webhook reports it. */
export interface Tombstone {
  deleted: true;
  system: 'customcrm';
  type: CustomcrmType;
  id: string;
  updatedAt?: string;
  version?: string;
  externalRefs?: readonly ExternalRef[];
}

export function isTombstone(x: RemoteRecord | Tombstone): x is Tombstone {
  return 'deleted' in x && x.deleted === true;
}

export function wireName(profile: CrmProfile, contract: string, type: CustomcrmType = 'Customer'): string {
  if (contract === 'Id') return profile.idProperty;
  if (contract === 'ExternalRefs' && profile.externalRefs) return profile.externalRefs;
  return profile.properties[type][contract] ?? contract;
}

/** Wire name → contract name, for error messages that name a property. */
export function contractName(profile: CrmProfile, wire: string, type?: CustomcrmType): string {
  if (wire === profile.idProperty) return 'Id';
  for (const t of type ? [type] : (['Customer', 'Contact'] as const))
    for (const [c, w] of Object.entries(profile.properties[t])) if (w === wire) return c;
  return wire;
}

/**
 * The wire type of a contract property: a declared one, else the id type for the reference to a
 * Customer (Contact.CustomerId), else text.
 */
export function wireType(profile: CrmProfile, type: CustomcrmType, contract: string): ValueType {
  return (
    profile.propertyTypes[type][contract] ??
    (type === 'Contact' && contract === 'CustomerId' ? profile.idType : 'string')
  );
}

/**
 * An id or reference as the CRM sent it → the string the engine compares. Integer and string ids
 * are the same id when their text is: 7 and "7" compare equal.
 */
export function idText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

/** A value about to be sent, in the CRM's own type: "7" → 7 for an integer property. */
export function toWireValue(t: ValueType, v: PropValue): unknown {
  if (t !== 'integer' || typeof v !== 'string') return v;
  return /^-?\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v)) ? Number(v) : v;
}

export function parseTimestamp(value: unknown, format: TimestampFormat): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  let ms: number;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))) {
    const n = Number(value);
    ms = format === 'epoch-s' ? n * 1000 : n;
  } else if (typeof value === 'string') {
    ms = Date.parse(value);
  } else {
    return undefined;
  }
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

export function formatTimestamp(iso: string, format: TimestampFormat): string {
  const ms = Date.parse(iso);
  if (format === 'epoch-ms') return String(ms);
  if (format === 'epoch-s') return String(Math.floor(ms / 1000));
  return new Date(ms).toISOString();
}

/** A property by its wire name; a dotted name ("properties.email") reaches into nested objects. */
export function wireValue(wire: Record<string, unknown>, name: string): unknown {
  return name in wire || !name.includes('.') ? wire[name] : getPath(wire, name);
}

/** Sets a property by its wire name, creating the nested objects of a dotted name. */
export function setWireValue(wire: Record<string, unknown>, name: string, value: unknown): void {
  const keys = name.split('.');
  let cur = wire;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== 'object' || Array.isArray(next)) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

/** Reads a dotted path ("data", "meta.next"); '' is the value itself. */
export function getPath(obj: unknown, path: string): unknown {
  if (path === '') return obj;
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Sorted-key canonical JSON, so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + entries.map(([k, v]) => JSON.stringify(k) + ':' + canonicalJson(v)).join(',') + '}';
  }
  return JSON.stringify(value ?? null);
}

export function contentHash(props: Props): string {
  return createHash('sha256').update(canonicalJson(props)).digest('hex');
}

function toPropValue(v: unknown): PropValue {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return null;
}

function readRefs(v: unknown): ExternalRef[] {
  if (!Array.isArray(v)) return [];
  const out: ExternalRef[] = [];
  for (const r of v) {
    if (!r || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    const [s, t, i] = [o.System ?? o.system, o.Type ?? o.type, o.Id ?? o.id];
    if (typeof s === 'string' && typeof t === 'string' && typeof i === 'string')
      out.push({ System: s, Type: t, Id: i });
  }
  return out;
}

/** ETag header value → version: `W/"3"` and `"3"` are both "3". */
export function versionFromEtag(etag: string | null | undefined): string | undefined {
  if (!etag) return undefined;
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** One wire object → a record under contract names, or a tombstone. */
export function fromWire(
  profile: CrmProfile,
  type: CustomcrmType,
  wire: Record<string, unknown>,
  etag?: string | null,
): RemoteRecord | Tombstone {
  const id = idText(wire[profile.idProperty]) ?? '';
  const updatedAt = parseTimestamp(wireValue(wire, wireName(profile, 'UpdatedAt', type)), profile.timestamps);
  const rawVersion = wireValue(wire, wireName(profile, 'Version', type));
  // Without ETags, the version is a hash of the whole record as read: the update re-reads and
  // compares it, so any change made meanwhile answers STALE (see fallbacks.ts).
  const version =
    versionFromEtag(etag) ??
    (typeof rawVersion === 'number' || typeof rawVersion === 'string' ? String(rawVersion) : updatedAt) ??
    (profile.etag
      ? undefined
      : 'h:' + createHash('sha256').update(canonicalJson(wire)).digest('hex').slice(0, 32));
  const externalRefs = profile.externalRefs ? readRefs(wire[profile.externalRefs]) : undefined;
  const originId = referenceOf(profile, wire);
  const common = {
    system: 'customcrm' as const,
    type,
    id,
    ...(updatedAt !== undefined ? { updatedAt } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(externalRefs !== undefined ? { externalRefs } : {}),
    ...(originId !== undefined ? { originId } : {}),
  };
  if (wireValue(wire, wireName(profile, 'Deleted', type)) === true) return { deleted: true, ...common };
  const props: Record<string, PropValue> = {};
  for (const p of CONTRACT_PROPERTIES[type]) {
    const raw = wireValue(wire, wireName(profile, p, type));
    // References and integer-typed properties are compared as text (7 and "7" are one id).
    props[p] =
      wireType(profile, type, p) === 'integer' || (type === 'Contact' && p === 'CustomerId')
        ? (idText(raw) ?? toPropValue(raw))
        : toPropValue(raw);
  }
  return { ...common, props, hash: contentHash(props) };
}

/** The reference property's value (the YouTrack id Tandem stored), or undefined. */
export function referenceOf(profile: CrmProfile, wire: Record<string, unknown>): string | undefined {
  return profile.referenceProperty
    ? idText(wireValue(wire, profile.referenceProperty)) || undefined
    : undefined;
}

/** Contract-named props → a wire body, each value in the CRM's own type. */
export function toWire(
  profile: CrmProfile,
  props: Props,
  type: CustomcrmType = 'Customer',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (profile.readOnly[type].includes(k) || profile.associations[type][k]) continue;
    const value = toWireValue(wireType(profile, type, k), v);
    setWireValue(out, wireName(profile, k, type), profile.stringValues ? asText(value) : value);
  }
  return out;
}

/** A value as text, for APIs whose properties are all strings: an empty value is ''. */
export function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(';');
  return typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
}
