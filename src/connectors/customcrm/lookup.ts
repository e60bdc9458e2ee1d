import type { CustomcrmType, ExternalRef, Props, RemoteRecord } from '../../core/types.ts';
import type { PageQuery } from './paging.ts';
import type { CrmProfile } from './profile.ts';

/**
 * Finds a record Tandem created before a crash or an ambiguous failure: by external reference
 * where the CRM stores them, else by the natural key (e-mail for contacts, exact name for
 * customers). Uses the CRM's filter when the profile names one, else scans the list.
 */
export async function findCreatedRecord(args: {
  profile: CrmProfile;
  type: CustomcrmType;
  props: Props;
  ref: ExternalRef;
  list: (query: PageQuery) => AsyncIterable<RemoteRecord>;
}): Promise<RemoteRecord | null> {
  const { profile, type, props, ref, list } = args;
  if (profile.externalRefs) {
    const param = profile.filters.externalRef;
    const query = param ? { [param]: `${ref.System}:${ref.Type}:${ref.Id}` } : {};
    return first(list(query), (r) =>
      (r.externalRefs ?? []).some((x) => x.System === ref.System && x.Type === ref.Type && x.Id === ref.Id),
    );
  }
  if (type === 'Contact') {
    const email = normalEmail(props.Email);
    if (!email) return null;
    const param = profile.filters.email;
    return first(list(param ? { [param]: email } : {}), (r) => normalEmail(r.props.Email) === email);
  }
  const name = props.Name;
  if (typeof name !== 'string' || name === '') return null;
  return first(list({}), (r) => r.props.Name === name);
}

function normalEmail(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined;
}

async function first(
  records: AsyncIterable<RemoteRecord>,
  match: (r: RemoteRecord) => boolean,
): Promise<RemoteRecord | null> {
  for await (const r of records) if (match(r)) return r;
  return null;
}
