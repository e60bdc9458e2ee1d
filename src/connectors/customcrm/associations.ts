import type { CustomcrmType, Props, PropValue, RemoteRecord } from '../../core/types.ts';
import { contentHash, idText } from './mapping.ts';
import type { CrmProfile } from './profile.ts';

/**
 * References a CRM keeps as associations with their own endpoints rather than as properties
 * (HubSpot: a contact's company). `profile.associations` names, per type and contract property,
 * the call that sets one (`{id}` the record, `{value}` the new reference) and the call that
 * removes one (`{old}` the previous reference). Kept apart from creates and updates so a batch
 * path can use the same calls.
 */
export interface AssociationCall {
  method: string;
  path: string;
}

export function associationProps(profile: CrmProfile, type: CustomcrmType, props: Props): string[] {
  return Object.keys(props).filter((k) => profile.associations[type][k] !== undefined);
}

/** The calls that move `prop` of record `id` from `old` to `value` (either may be empty). */
export function associationCalls(
  profile: CrmProfile,
  type: CustomcrmType,
  id: string,
  prop: string,
  value: PropValue | undefined,
  old: PropValue | undefined,
): AssociationCall[] {
  const spec = profile.associations[type][prop];
  if (!spec) return [];
  const [v, o] = [idText(value) || undefined, idText(old) || undefined];
  if (v === o) return [];
  const calls: AssociationCall[] = [];
  const fill = (template: string, vars: Record<string, string>): AssociationCall => {
    const [method, path] = template.split(' ', 2) as [string, string];
    return {
      method,
      path: path.replace(/\{(id|value|old)\}/g, (_, k: string) => encodeURIComponent(vars[k] ?? '')),
    };
  };
  if (o !== undefined && spec.unset) calls.push(fill(spec.unset, { id, old: o }));
  if (v !== undefined) calls.push(fill(spec.set, { id, value: v }));
  return calls;
}

/** The record as it is after the association calls (they answer no record of their own). */
export function withAssociations(r: RemoteRecord, values: Props): RemoteRecord {
  const props = { ...r.props, ...values };
  return { ...r, props, hash: contentHash(props) };
}
