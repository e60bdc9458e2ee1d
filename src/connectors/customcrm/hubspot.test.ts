import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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
/** Documented paths (templates) Tandem calls: objects v3, associations v4. */
const DOCUMENTED = [
  'POST /crm/v3/objects/contacts',
  'GET /crm/v3/objects/contacts/{contactId}',
  'PATCH /crm/v3/objects/contacts/{contactId}',
  'PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}',
  'DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}',
].map((t) => {
  const [method, path] = t.split(' ') as [string, string];
  return { t, re: new RegExp(`^${method} ${path.replace(/\{[^}]+\}/g, '[^/?]+')}(\\?.*)?$`) };
});
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
    // HubSpot's /batch/create takes { inputs: [...] }, not the contract's batch body.
    expect(profile.batch).toBe(false);
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

  it('writes a contact and moves its company only through documented calls with valid bodies', async () => {
    const calls: Array<{ line: string; body: unknown }> = [];
    let company = '9001';
    let updatedAt = '2025-01-03T11:00:00.000Z';
    const contact = (id: string) => ({
      id,
      properties: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com' },
      createdAt: '2025-01-02T10:00:00.000Z',
      updatedAt,
      archived: false,
      associations: { companies: { results: [{ id: company, type: 'contact_to_company' }] } },
    });
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (d: Buffer) => (text += d.toString()));
      req.on('end', () => {
        calls.push({ line: `${req.method} ${req.url}`, body: text ? JSON.parse(text) : undefined });
        if (req.method !== 'GET') updatedAt = new Date(Date.parse(updatedAt) + 1000).toISOString();
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.url!.startsWith('/crm/v4/')) {
          if (req.method === 'PUT') company = req.url!.split('/').pop()!;
          return req.method === 'DELETE' ? res.writeHead(204).end() : json(200, {});
        }
        json(req.method === 'POST' ? 201 : 200, contact('77'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = createCustomcrmConnector(
        customcrmConfigSchema.parse({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          token: 'pat-na1-test',
          profile: { preset: 'hubspot-v3' },
          retry: { baseDelayMs: 1 },
        }),
      );
      const created = await c.create(
        'Contact',
        { FirstName: 'Ada', Email: 'ada@example.com', CustomerId: '9002' },
        { idempotencyKey: 'k', externalRef: { System: 'YouTrack', Type: 'User', Id: 'yt-1' } },
      );
      expect(created.props.CustomerId).toBe('9002');
      const read = (await c.read('Contact', '77'))!;
      const updated = await c.update(
        'Contact',
        '77',
        { LastName: 'Byron', CustomerId: '9003' },
        { ifMatch: read.version! },
      );
      expect(updated.props.CustomerId).toBe('9003');

      for (const call of calls)
        expect(
          DOCUMENTED.some((d) => d.re.test(call.line)),
          `${call.line} is a documented call`,
        ).toBe(true);
      const post = calls.find((x) => x.line.startsWith('POST '))!;
      expect(valid('create', post.body)).toBe('valid');
      expect((post.body as { properties: Record<string, string> }).properties.tandem_youtrack_id).toBe(
        'yt-1',
      );
      const patch = calls.find((x) => x.line.startsWith('PATCH '))!;
      expect(valid('update', patch.body)).toBe('valid');
      expect(calls.map((x) => x.line).filter((l) => l.includes('/crm/v4/'))).toEqual([
        'PUT /crm/v4/objects/contacts/77/associations/default/companies/9002',
        'DELETE /crm/v4/objects/contacts/77/associations/companies/9002',
        'PUT /crm/v4/objects/contacts/77/associations/default/companies/9003',
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
