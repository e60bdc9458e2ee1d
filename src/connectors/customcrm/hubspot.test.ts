import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { createCustomcrmConnector } from './connector.ts';
import { customcrmConfigSchema } from './config.ts';
import { fromWire, isTombstone, toWire } from './mapping.ts';
import { paginate } from './paging.ts';
import { loadProfile } from './profile.ts';

/**
 * The HubSpot CRM v3 preset against HubSpot's published OpenAPI documents for the contacts and
 * companies objects APIs (github.com/HubSpot/HubSpot-public-api-spec-collection,
 * PublicApiSpecs/CRM/{Contacts,Companies}/Rollouts/424/v3/*.json at commit
 * 99893791383254f52aa07662baeb98aad65cc710). Those documents are HubSpot's and not licensed for
 * redistribution, so the schemas Tandem's requests and the responses it parses touch are
 * transcribed here (names as in the documents), not copied whole.
 */
const schemas = {
  // components.schemas.SimplePublicObjectInputForCreate
  create: {
    type: 'object',
    required: ['associations', 'properties'],
    properties: {
      associations: {
        type: 'array',
        items: {
          type: 'object',
          required: ['to', 'types'],
          properties: {
            to: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
            types: { type: 'array' },
          },
        },
      },
      properties: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
  // components.schemas.SimplePublicObjectInput (body of PATCH /crm/v3/objects/{contacts,companies}/{id})
  update: {
    type: 'object',
    required: ['properties'],
    properties: { properties: { type: 'object', additionalProperties: { type: 'string' } } },
  },
  // components.schemas.SimplePublicObjectWithAssociations
  object: {
    type: 'object',
    required: ['archived', 'createdAt', 'id', 'properties', 'updatedAt'],
    properties: {
      archived: { type: 'boolean' },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
      id: { type: 'string' },
      properties: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
      associations: { type: 'object' },
    },
  },
  // components.schemas.CollectionResponseSimplePublicObjectWithAssociationsForwardPaging
  page: {
    type: 'object',
    required: ['results'],
    properties: {
      results: { type: 'array' },
      paging: {
        type: 'object',
        properties: {
          next: { type: 'object', required: ['after'], properties: { after: { type: 'string' } } },
        },
      },
    },
  },
} as const;
/** paths./crm/v3/objects/contacts.get.parameters (query) and .../{contactId}.get.parameters. */
const LIST_PARAMS = ['after', 'archived', 'associations', 'limit', 'properties', 'propertiesWithHistory'];
const READ_PARAMS = ['archived', 'associations', 'idProperty', 'properties', 'propertiesWithHistory'];

const ajv = new Ajv2020({ strict: false, allErrors: true });
const valid = (schema: keyof typeof schemas, body: unknown) => {
  const v = ajv.compile(schemas[schema]);
  return v(body) ? 'valid' : JSON.stringify(v.errors);
};

const profile = loadProfile({ preset: 'hubspot-v3' });

/** Shaped like the documents' response schemas (the NextPage cursor is the documents' example). */
const contactPage = {
  results: [
    {
      id: '512',
      properties: {
        firstname: 'Ada',
        lastname: 'Lovelace',
        email: 'ada@example.com',
        tandem_youtrack_id: 'yt-1',
      },
      createdAt: '2025-01-02T10:00:00.000Z',
      updatedAt: '2025-01-03T11:00:00.000Z',
      archived: false,
      associations: { companies: { results: [{ id: '9001', type: 'contact_to_company' }] } },
    },
  ],
  paging: { next: { after: 'NTI1Cg%3D%3D', link: '?after=NTI1Cg%3D%3D' } },
};

describe('HubSpot CRM v3 preset, checked against HubSpot’s OpenAPI documents', () => {
  it('is a profile of documented keys that a user can override', () => {
    expect(profile.name).toBe('hubspot-v3');
    expect(profile.paths.contacts).toBe('/crm/v3/objects/contacts');
    const own = loadProfile({
      preset: 'hubspot-v3',
      referenceProperty: 'properties.my_ref',
      properties: { Contact: { Title: 'properties.job_function' } },
    });
    expect(own.referenceProperty).toBe('properties.my_ref');
    expect(own.properties.Contact.Title).toBe('properties.job_function');
    expect(own.properties.Contact.Email).toBe('properties.email');
    expect(loadProfile(own)).toEqual(own);
  });

  it('sends creates and updates that validate against SimplePublicObjectInput(ForCreate)', () => {
    const contact = toWire(
      profile,
      { FirstName: 'Ada', LastName: null, Email: 'ada@example.com', CustomerId: '9001', Username: 'ada' },
      'Contact',
    );
    const create = {
      ...contact,
      ...profile.createFields.Contact,
      properties: { ...(contact.properties as object), tandem_youtrack_id: 'yt-1' },
    };
    expect(valid('create', create)).toBe('valid');
    expect(create.properties).toEqual({
      firstname: 'Ada',
      lastname: '',
      email: 'ada@example.com',
      tandem_username: 'ada',
      tandem_youtrack_id: 'yt-1',
    });
    expect(valid('update', toWire(profile, { LastName: 'Byron', CustomerId: '1' }, 'Contact'))).toBe('valid');
    expect(valid('update', toWire(profile, { Name: 'Acme', City: null }, 'Customer'))).toBe('valid');
    expect(Object.keys(profile.listQuery.Contact).every((p) => LIST_PARAMS.includes(p))).toBe(true);
    expect(Object.keys(profile.readQuery.Contact).every((p) => READ_PARAMS.includes(p))).toBe(true);
    if (profile.paging.style !== 'cursor') throw new Error('cursor paging expected');
    expect(LIST_PARAMS).toEqual(
      expect.arrayContaining([profile.paging.cursorParam, profile.paging.limitParam]),
    );
  });

  it('parses responses of the documented shapes: nested properties, the company association, the after cursor', async () => {
    expect(valid('page', contactPage)).toBe('valid');
    expect(valid('object', contactPage.results[0])).toBe('valid');
    const r = fromWire(profile, 'Contact', contactPage.results[0]!);
    if (isTombstone(r)) throw new Error('not a tombstone');
    expect(r.id).toBe('512');
    expect(r.props).toMatchObject({ FirstName: 'Ada', Email: 'ada@example.com', CustomerId: '9001' });
    expect(r.version).toBe('2025-01-03T11:00:00.000Z');

    const queries: Array<Record<string, string | number>> = [];
    const pages = paginate(profile.paging, profile.listPath, 100, async (q) => {
      queries.push(q);
      return { body: queries.length === 1 ? contactPage : { results: [] }, headers: new Headers() };
    });
    for await (const _ of pages);
    expect(queries).toEqual([{ limit: 100 }, { limit: 100, after: 'NTI1Cg%3D%3D' }]);
  });

  it('connects with the access token as a bearer token', () => {
    const c = createCustomcrmConnector(
      customcrmConfigSchema.parse({
        url: 'https://api.hubapi.com',
        token: 'pat-na1-test',
        profile: { preset: 'hubspot-v3' },
      }),
    );
    expect(c.capabilities).toMatchObject({ etag: false, externalRefs: false, modifiedSince: false });
  });
});
