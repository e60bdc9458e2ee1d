import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customcrmConfigSchema, createCustomcrmConnector } from '../../src/connectors/customcrm/index.ts';
import { ConnectorError } from '../../src/connectors/types.ts';
import { startFeathers, startJsonServer, type RealCrm } from './servers.ts';

/** The connector alone against real servers: the no-ETag fallback and typed references. */
describe.each([
  ['json-server', startJsonServer],
  ['feathers (PUT)', startFeathers],
] as const)('Customcrm connector on %s', (_name, start) => {
  let crm: RealCrm;
  beforeAll(async () => {
    crm = await start();
  });
  afterAll(() => crm.close());

  const connector = () =>
    createCustomcrmConnector(
      customcrmConfigSchema.parse({ url: crm.url, profile: crm.profile, retry: { baseDelayMs: 1 } }),
    );

  it('without ETags re-reads before an update and answers STALE when the record changed', async () => {
    const w = crm.wire;
    const company = await crm.create('customers', { [w.name]: 'Stale Co' });
    const row = await crm.create('contacts', { [w.email]: 'stale@example.org', [w.lastName]: 'Before' });
    const c = connector();
    const read = (await c.read('Contact', String(row.id)))!;
    expect(read.version).toBeDefined();
    expect(read.props.CustomerId).toBeNull();

    await crm.patch('contacts', row.id, { [w.lastName]: 'Concurrent' });
    const err = await c
      .update('Contact', read.id, { LastName: 'Tandem' }, { ifMatch: read.version! })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('STALE');
    expect((await crm.all('contacts')).find((r) => r.id === row.id)![w.lastName]).toBe('Concurrent');

    // Read again: the update goes through, and the reference is written as the CRM's integer.
    const fresh = (await c.read('Contact', read.id))!;
    const after = await c.update(
      'Contact',
      fresh.id,
      { LastName: 'Tandem', CustomerId: String(company.id) },
      { ifMatch: fresh.version! },
    );
    expect(after.props.CustomerId).toBe(String(company.id));
    const stored = (await crm.all('contacts')).find((r) => r.id === row.id)!;
    expect(stored[w.company]).toBe(company.id);
    expect(stored[w.lastName]).toBe('Tandem');
    expect(stored[w.email]).toBe('stale@example.org'); // a PUT keeps what it did not change
  });
});

describe('records addressed by a query', () => {
  it('reads the one item of the list json-server answers to /people?id=N', async () => {
    const crm = await startJsonServer();
    try {
      const row = await crm.create('contacts', { email: 'query@example.org' });
      await crm.create('contacts', { email: 'other@example.org' });
      const c = createCustomcrmConnector(
        customcrmConfigSchema.parse({
          url: crm.url,
          profile: { ...crm.profile, recordPath: '{path}?id={id}' },
        }),
      );
      const r = await c.read('Contact', String(row.id));
      expect(r?.props.Email).toBe('query@example.org');
      expect(await c.read('Contact', '999')).toBeNull();
    } finally {
      await crm.close();
    }
  });
});

describe('records without an id', () => {
  it('skips one bad record among good ones, and names profile.idProperty when none has an id', async () => {
    const crm = await startJsonServer();
    try {
      await crm.create('contacts', { code: 'c-1', email: 'a@example.org' });
      await crm.create('contacts', { email: 'no-code@example.org' });
      await crm.create('contacts', { code: 'c-3', email: 'c@example.org' });
      const read = async (idProperty: string) => {
        const c = createCustomcrmConnector(
          customcrmConfigSchema.parse({
            url: crm.url,
            profile: { ...crm.profile, idProperty, idType: 'string' },
          }),
        );
        const out: string[] = [];
        for await (const r of c.readAll('Contact')) out.push(r.id);
        return out;
      };
      expect(await read('code')).toEqual(['c-1', 'c-3']);
      await expect(read('uid')).rejects.toThrow(/no id in "uid".*Set profile.idProperty/);
    } finally {
      await crm.close();
    }
  });
});
