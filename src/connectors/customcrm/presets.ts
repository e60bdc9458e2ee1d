/**
 * Profiles for real CRM APIs, named by `profile.preset` and overridden key by key. Each preset
 * says what was checked against the vendor's published documents in docs/customcrm-cookbook.md.
 */

/** The HubSpot contact properties Tandem reads (HubSpot returns only the properties asked for). */
const HUBSPOT_CONTACT_PROPS = [
  'firstname',
  'lastname',
  'email',
  'phone',
  'mobilephone',
  'jobtitle',
  'tandem_youtrack_id',
  'tandem_username',
];
const HUBSPOT_COMPANY_PROPS = [
  'name',
  'address',
  'address2',
  'city',
  'zip',
  'country',
  'phone',
  'domain',
  'description',
  'tandem_youtrack_id',
];

/**
 * HubSpot CRM v3 objects API (contacts and companies), with a private app's access token as the
 * bearer token and `url: https://api.hubapi.com`. Properties live in a nested `properties` object
 * and are all strings; lists page with an `after` cursor; a contact's company is read from its
 * associations and written through the associations API (v4). `tandem_youtrack_id` and
 * `tandem_username` are custom properties you create in HubSpot (single-line text).
 */
const hubspotV3 = {
  name: 'hubspot-v3',
  paths: {
    customers: '/crm/v3/objects/companies',
    contacts: '/crm/v3/objects/contacts',
    webhooks: '/webhooks',
  },
  idProperty: 'id',
  idType: 'string',
  properties: {
    Customer: {
      Name: 'properties.name',
      StreetAddress1: 'properties.address',
      StreetAddress2: 'properties.address2',
      City: 'properties.city',
      ZipCode: 'properties.zip',
      Country: 'properties.country',
      Phone: 'properties.phone',
      Website: 'properties.domain',
      Description: 'properties.description',
      UpdatedAt: 'updatedAt',
      Deleted: 'archived',
    },
    Contact: {
      FirstName: 'properties.firstname',
      LastName: 'properties.lastname',
      Email: 'properties.email',
      Phone: 'properties.phone',
      Mobile: 'properties.mobilephone',
      Title: 'properties.jobtitle',
      Username: 'properties.tandem_username',
      CustomerId: 'associations.companies.results.0.id',
      UpdatedAt: 'updatedAt',
      Deleted: 'archived',
    },
  },
  listPath: 'results',
  paging: { style: 'cursor', cursorParam: 'after', limitParam: 'limit', nextCursorPath: 'paging.next.after' },
  listQuery: {
    Customer: { properties: HUBSPOT_COMPANY_PROPS.join(',') },
    Contact: { properties: HUBSPOT_CONTACT_PROPS.join(','), associations: 'companies' },
  },
  readQuery: {
    Customer: { properties: HUBSPOT_COMPANY_PROPS.join(',') },
    Contact: { properties: HUBSPOT_CONTACT_PROPS.join(','), associations: 'companies' },
  },
  createFields: { Customer: { associations: [] }, Contact: { associations: [] } },
  stringValues: true,
  // A contact's company is an association with its own API (v4), not a property.
  associations: {
    Contact: {
      CustomerId: {
        set: 'PUT /crm/v4/objects/contacts/{id}/associations/default/companies/{value}',
        unset: 'DELETE /crm/v4/objects/contacts/{id}/associations/companies/{old}',
      },
    },
  },
  timestamps: 'iso',
  auth: { type: 'bearer' },
  updateMethod: 'PATCH',
  modifiedSince: false,
  serverTimeHeader: false,
  etag: false,
  idempotencyKeys: false,
  externalRefs: false,
  webhooks: false,
  // HubSpot's batch endpoints take another body ({ inputs }); creates are sent one by one.
  batch: false,
  filters: { email: false, externalRef: false, reference: false },
  referenceProperty: 'properties.tandem_youtrack_id',
} as const;

export const PRESETS = { 'hubspot-v3': hubspotV3 } as const;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];

/** Objects merge key by key; anything else (lists, values) is replaced by the override. */
export function deepMerge(base: object, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? deepMerge(b, v as Record<string, unknown>)
        : v;
  }
  return out;
}
