import type { CustomcrmType, Props } from '../../core/types.ts';
import { SYSTEMS } from '../../core/systems.ts';
import type { CreateOptions } from '../types.ts';
import { setWireValue, toWire } from './mapping.ts';
import type { CrmProfile } from './profile.ts';

/**
 * The wire body of one create, the same for a single create and an item of a batch: the props
 * in the CRM's names and types, the external reference where the CRM stores them, the YouTrack
 * id in the reference property, and the profile's fixed create fields.
 */
export function createBody(
  profile: CrmProfile,
  type: CustomcrmType,
  props: Props,
  opts: CreateOptions,
): Record<string, unknown> {
  const body = toWire(profile, props, type);
  if (profile.externalRefs) body[profile.externalRefs] = [opts.externalRef];
  if (profile.referenceProperty && opts.externalRef.System === SYSTEMS.youtrack.refName)
    setWireValue(body, profile.referenceProperty, opts.externalRef.Id);
  Object.assign(body, structuredClone(profile.createFields[type]));
  return body;
}
