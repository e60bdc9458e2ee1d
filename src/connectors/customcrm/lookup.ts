import type { CustomcrmType, ExternalRef, Props, PropValue, RemoteRecord } from '../../core/types.ts';
import { SYSTEMS } from '../../core/systems.ts';
import { ConnectorError } from '../types.ts';
import { referenceOf, toWireValue, wireName, wireType } from './mapping.ts';
import type { PageQuery } from './paging.ts';
import type { CrmProfile } from './profile.ts';

/** A record as listed, with the wire object it came from (for the reference property). */
export interface Listed {
  record: RemoteRecord;
  wire: Record<string, unknown>;
}

/**
 * Finds a record Tandem created before a crash or an ambiguous failure, in this order:
 *
 * 1. the reference property (`profile.referenceProperty`), where Tandem stored the YouTrack id;
 * 2. the external references, where the CRM stores them;
 * 3. only where the CRM has neither: the natural key (`profile.naturalKey`: e-mail for contacts,
 *    name for customers by default),
 *    which must match exactly one record that neither carries another record's reference nor is
 *    linked to another record (`taken`). Of several such (twins sharing an e-mail), the one that
 *    holds every value the create sent; when none does, DUPLICATE is thrown, so the caller
 *    quarantines rather than guesses.
 *
 * Uses the CRM's filter where the profile names one, else scans the list; every candidate is
 * checked here as well, so a server that ignores a filter costs time, never a wrong match.
 */
export async function findCreatedRecord(args: {
  profile: CrmProfile;
  type: CustomcrmType;
  props: Props;
  ref: ExternalRef;
  list: (query: PageQuery) => AsyncIterable<Listed>;
  /** Records already linked to something else: never candidates of the natural key. */
  taken?: (id: string) => Promise<boolean>;
}): Promise<RemoteRecord | null> {
  const { profile, type, props, ref, list } = args;
  const refProp = profile.referenceProperty;
  if (refProp && ref.System === SYSTEMS.youtrack.refName) {
    const f = profile.filters.reference;
    const param = f === true ? refProp : f === false ? undefined : f;
    const hit = await first(
      list(param ? { [param]: ref.Id } : {}),
      (l) => referenceOf(profile, l.wire) === ref.Id,
    );
    if (hit) return hit.record;
  }
  if (profile.externalRefs) {
    const param = profile.filters.externalRef;
    const query = param ? { [param]: `${ref.System}:${ref.Type}:${ref.Id}` } : {};
    const hit = await first(list(query), (l) =>
      (l.record.externalRefs ?? []).some(
        (x) => x.System === ref.System && x.Type === ref.Type && x.Id === ref.Id,
      ),
    );
    if (hit) return hit.record;
  }
  // Where every record Tandem creates carries a reference, not finding it means it was not
  // created: a natural-key match would be someone else's record (a person made in the CRM).
  if ((refProp && ref.System === SYSTEMS.youtrack.refName) || profile.externalRefs) return null;
  return byNaturalKey(profile, type, props, ref, list, args.taken);
}

async function byNaturalKey(
  profile: CrmProfile,
  type: CustomcrmType,
  props: Props,
  ref: ExternalRef,
  list: (query: PageQuery) => AsyncIterable<Listed>,
  taken?: (id: string) => Promise<boolean>,
): Promise<RemoteRecord | null> {
  const key = profile.naturalKey[type];
  const wanted = keyText(props[key]);
  if (wanted === undefined) return null;
  const folded = wanted.toLowerCase();
  const param = key === 'Email' ? (profile.filters.email ? profile.filters.email : undefined) : undefined;
  const query: PageQuery = {};
  if (param) query[param] = String(toWireValue(wireType(profile, type, key), wanted));
  const exact: RemoteRecord[] = [];
  const alike: RemoteRecord[] = [];
  for await (const l of list(query)) {
    const have = keyText(l.record.props[key]);
    if (have === undefined || have.toLowerCase() !== folded) continue;
    // A record that carries another record's reference is that record's counterpart.
    const theirs = referenceOf(profile, l.wire);
    if (theirs !== undefined && ref.System === SYSTEMS.youtrack.refName && theirs !== ref.Id) continue;
    // One linked to another record already (a twin with the same e-mail) is that record's.
    if (taken && (await taken(l.record.id))) continue;
    (have === wanted ? exact : alike).push(l.record);
  }
  // The record holding every value the create sent is this create's; twins sharing the key
  // (two users with one e-mail) differ in the rest. Identical ones are interchangeable: the
  // lowest id. Else one record with exactly the key (edited since the create) is it.
  const same = [...exact, ...alike].filter((r) => holdsPayload(r, props));
  if (same.length > 0) return same.sort((a, b) => compareIds(a.id, b.id))[0]!;
  if (exact.length <= 1) return exact[0] ?? null;
  const candidates = exact;
  throw new ConnectorError(
    'DUPLICATE',
    `customcrm: ${candidates.length} ${type} records (${candidates.map((r) => r.id).join(', ')}) have ${key} (${wireName(profile, key, type)}) "${wanted}"; Tandem cannot tell which one it created. Remove the duplicate in the CRM, or set profile.referenceProperty so Tandem can find its own records.`,
    { system: 'customcrm', type, property: key },
  );
}

function holdsPayload(r: RemoteRecord, payload: Props): boolean {
  const text = (v: PropValue | undefined) =>
    v === null || v === undefined || v === '' ? '' : Array.isArray(v) ? v.join(',') : String(v);
  return Object.entries(payload).every(([k, v]) => !(k in r.props) || text(r.props[k]) === text(v));
}

function compareIds(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function keyText(v: PropValue | undefined): string | undefined {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

async function first(records: AsyncIterable<Listed>, match: (l: Listed) => boolean): Promise<Listed | null> {
  for await (const l of records) if (match(l)) return l;
  return null;
}
