import { z } from 'zod';

/**
 * What the connector reads from YouTrack and Hub, as data: the paths, the `fields` selections
 * and the shapes it relies on. Shapes are loose (unknown keys pass) so a newer server's extra
 * fields never break a read; only the keys used here are checked.
 */
export const YT = '/api';
export const HUB = '/hub/api/rest';

export const fields = {
  ytUser: 'id,login,fullName,email,ringId,guest,banned',
  ytIds: 'id,ringId',
  ytGroup: 'id,ringId,name',
  // YouTrack 2026.1's Organization (devportal api-entity-Organization): no ringId, no members.
  ytOrg: 'id,key,name,description',
  // Only names Hub's models declare (Hub REST "JSON Scheme": user, userGroup, organization);
  // a group's built-in kinds other than All Users come from YouTrack's `$type`.
  hubUser:
    'id,login,name,banned,guest,profile(email(email)),groups(id,allUsers,project(id)),organizations(id)',
  hubGroup: 'id,name,description,allUsers,parent(id),project(id)',
  hubOrg: 'id,name,description',
  hubOrgKey: 'id,key',
  // Hub's Event and Change models (hub-rest-client); childChanges one level down is enough for
  // an AggregationChange of PrimitiveChanges.
  event:
    'id,targetId,targetType,type,timestamp,changes(type,fieldName,fieldType,oldValue,newValue,childChanges(type,fieldName,fieldType,oldValue,newValue))',
} as const;

const idRef = z.looseObject({ id: z.string() });

export const ytUser = z.looseObject({
  id: z.string(),
  login: z.string(),
  fullName: z.string().nullish(),
  email: z.string().nullish(),
  ringId: z.string().nullish(),
  guest: z.boolean().nullish(),
  banned: z.boolean().nullish(),
});
export type YtUser = z.infer<typeof ytUser>;

export const ytGroup = z.looseObject({
  id: z.string(),
  $type: z.string().optional(),
  ringId: z.string().nullish(),
  name: z.string().nullish(),
});
export type YtGroup = z.infer<typeof ytGroup>;

export const ytOrg = z.looseObject({
  id: z.string(),
  key: z.string().nullish(),
  name: z.string(),
  description: z.string().nullish(),
});
export type YtOrg = z.infer<typeof ytOrg>;

const hubGroupRef = z.looseObject({
  id: z.string(),
  allUsers: z.boolean().nullish(),
  project: idRef.nullish(),
});
export type HubGroupRef = z.infer<typeof hubGroupRef>;

export const hubUser = z.looseObject({
  id: z.string(),
  login: z.string(),
  name: z.string().nullish(),
  banned: z.boolean().nullish(),
  guest: z.boolean().nullish(),
  profile: z.looseObject({ email: z.looseObject({ email: z.string().nullish() }).nullish() }).nullish(),
  groups: z.array(hubGroupRef).nullish(),
  organizations: z.array(idRef).nullish(),
});
export type HubUser = z.infer<typeof hubUser>;

export const hubGroup = hubGroupRef.extend({
  name: z.string(),
  description: z.string().nullish(),
  parent: idRef.nullish(),
});
export type HubGroup = z.infer<typeof hubGroup>;

export const hubOrg = z.looseObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullish(),
});
export type HubOrg = z.infer<typeof hubOrg>;

export const hubOrgKey = z.looseObject({ id: z.string(), key: z.string().nullish() });

/** YouTrack and Hub error bodies share these keys; the `error` strings vary between versions. */
export const errorBody = z.looseObject({
  error: z.string().optional(),
  error_description: z.string().optional(),
  error_developer_message: z.string().optional(),
  error_field: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBody>;

/** Hub query values: braces keep spaces and operators inside one value. */
export function hubQueryValue(value: string): string {
  return /^[\w.@+-]+$/.test(value) ? value : `{${value}}`;
}
