import { CONTRACT_PROPERTIES } from '../../../src/connectors/customcrm/mapping.ts';
import { loadProfile } from '../../../src/connectors/customcrm/profile.ts';
import type { CrmProfile } from '../../../src/connectors/customcrm/profile.ts';

/** Every contract property of both types, plus the record metadata the profile can rename. */
const CONTRACT_NAMES = [
  ...new Set([...CONTRACT_PROPERTIES.Customer, ...CONTRACT_PROPERTIES.Contact]),
  'CreatedAt',
  'UpdatedAt',
  'Version',
  'Deleted',
];

function nameMap(rename: (n: string) => string): Record<string, string> {
  return Object.fromEntries(CONTRACT_NAMES.map((n) => [n, rename(n)]));
}

/** Speaks the adapter server's 'snake' shape. */
export const snakeProfile: CrmProfile = loadProfile({
  name: 'snake',
  paths: { customers: '/companies', contacts: '/people' },
  idProperty: 'id',
  properties: nameMap((n) => n.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()),
  paging: { style: 'page', pageParam: 'page', sizeParam: 'per_page' },
  listPath: '',
  timestamps: 'epoch-ms',
  auth: { type: 'header', name: 'X-Api-Key' },
  modifiedSince: { param: 'updated_since', format: 'epoch-ms', includeDeletedParam: false },
  serverTimeHeader: false,
  filters: { email: 'email', externalRef: false },
  etag: false,
  idempotencyKeys: false,
  externalRefs: false,
  webhooks: false,
});

/** Speaks the adapter server's 'offset' shape. */
export const offsetProfile: CrmProfile = loadProfile({
  name: 'offset',
  idProperty: 'id',
  properties: nameMap((n) => n.charAt(0).toLowerCase() + n.slice(1)),
  paging: { style: 'offset', offsetParam: 'offset', limitParam: 'limit' },
  listPath: 'results',
  auth: { type: 'basic' },
  modifiedSince: false,
  serverTimeHeader: false,
  filters: { email: 'email', externalRef: 'ref' },
  idempotencyKeys: false,
  externalRefs: 'externalRefs',
  webhooks: false,
});
