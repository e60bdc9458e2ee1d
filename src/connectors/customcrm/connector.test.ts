import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCustomcrmServer } from '../../emulators/customcrm/index.ts';
import type { CustomcrmServer } from '../../emulators/customcrm/index.ts';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import { ConnectorError } from '../types.ts';
import { createCustomcrmConnector, customcrmConfigSchema } from './index.ts';
import type { CustomcrmConnector, CrmProfile } from './index.ts';
import { isTombstone } from './mapping.ts';
import { contractProfile } from './profile.ts';
import { startAdapterServer } from '../../../test/support/customcrm/adapter-server.ts';
import type { AdapterServer, AdapterShape } from '../../../test/support/customcrm/adapter-server.ts';
import { offsetProfile, snakeProfile } from '../../../test/support/customcrm/profiles.ts';

interface Setup {
  shape: AdapterShape;
  profile: CrmProfile;
  /** Path under the adapter that is the API root. */
  root: string;
  fallbacks: number;
  incremental: boolean;
}

const SETUPS: Setup[] = [
  { shape: 'contract', profile: contractProfile, root: '/v1', fallbacks: 0, incremental: true },
  { shape: 'snake', profile: snakeProfile, root: '', fallbacks: 5, incremental: true },
  { shape: 'offset', profile: offsetProfile, root: '', fallbacks: 3, incremental: false },
];

describe.each(SETUPS)('customcrm connector, $shape profile', (setup) => {
  let crm: CustomcrmServer;
  let adapter: AdapterServer;
  let conn: CustomcrmConnector;
  let dir: string;
  const sink = new MemorySink();
  const ref = (id: string) => ({ System: 'youtrack', Type: 'User', Id: id });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'customcrm-conn-'));
    // Every server write gets its own millisecond, so UpdatedAt alone tells two versions apart.
    let t = Date.now();
    crm = await startCustomcrmServer({
      seed: 'demo',
      db: join(dir, 'crm.db'),
      clock: () => (t = Math.max(t + 1, Date.now())),
    });
    adapter = await startAdapterServer({
      upstream: crm.url + '/v1',
      upstreamToken: 'crm-demo-token',
      shape: setup.shape,
      key: setup.shape === 'contract' ? 'crm-demo-token' : 'adapter-key-1234',
      username: 'sync-user',
    });
    const config = customcrmConfigSchema.parse({
      url: adapter.url + setup.root,
      token: setup.shape === 'contract' ? 'crm-demo-token' : 'adapter-key-1234',
      username: 'sync-user',
      profile: setup.profile,
      pageSize: 3,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    conn = createCustomcrmConnector(config, { logger: new JsonLogger(sink, 'debug') });
  });
  afterAll(async () => {
    await adapter.close();
    await crm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies and names each fallback once', async () => {
    const info = await conn.verify();
    await conn.verify();
    expect(info.mode).toBe(setup.profile.name);
    expect(info.fallbacks).toHaveLength(setup.fallbacks);
    const warns = sink.records().filter((r) => r.level === 'warn');
    expect(warns).toHaveLength(setup.fallbacks);
    expect(sink.lines.join('')).not.toContain('adapter-key-1234');
  });

  it('reads every record once, under contract names, across pages', async () => {
    const customers = [];
    for await (const r of conn.readAll('Customer')) customers.push(r);
    expect(customers).toHaveLength(crm.store.count('customers'));
    expect(new Set(customers.map((c) => c.id)).size).toBe(customers.length);
    const first = customers[0];
    expect(typeof first?.props.Name).toBe('string');
    expect(first?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const contacts = [];
    for await (const r of conn.readAll('Contact')) contacts.push(r);
    expect(contacts).toHaveLength(crm.store.count('contacts'));
    expect(Object.keys(contacts[0]?.props ?? {})).toContain('FirstName');

    const one = await conn.read('Customer', first?.id ?? '');
    expect(one?.hash).toBe(first?.hash);
    expect(await conn.read('Customer', 'cus_999999')).toBeNull();
  });

  it('creates once after an ambiguous failure, and finds what it created', async () => {
    const before = crm.store.count('contacts');
    const props = {
      FirstName: 'Ada',
      LastName: `Truncated-${setup.shape}`,
      Email: `ada.${setup.shape}@example.test`,
    };
    adapter.truncateNext('POST');
    const created = await conn.create('Contact', props, {
      idempotencyKey: `k-${setup.shape}-1`,
      externalRef: ref(`u-${setup.shape}`),
    });
    expect(crm.store.count('contacts')).toBe(before + 1);
    expect(created.props.LastName).toBe(props.LastName);
    const found = await conn.findCreated('Contact', props, ref(`u-${setup.shape}`));
    expect(found?.id).toBe(created.id);
    expect(await conn.findCreated('Contact', { Email: 'nobody@example.test' }, ref('u-none'))).toBeNull();
    if (setup.profile.externalRefs) expect(created.externalRefs).toEqual([ref(`u-${setup.shape}`)]);
  });

  it('updates only the patch, and refuses a stale version with STALE', async () => {
    const c = await conn.create(
      'Customer',
      { Name: `Patch Co ${setup.shape}`, City: 'Oslo' },
      { idempotencyKey: `k-${setup.shape}-2`, externalRef: ref(`g-${setup.shape}`) },
    );
    const after = await conn.update(
      'Customer',
      c.id,
      { Description: 'patched' },
      { ifMatch: c.version ?? '' },
    );
    expect(after.props).toMatchObject({
      Name: `Patch Co ${setup.shape}`,
      City: 'Oslo',
      Description: 'patched',
    });
    expect(after.version).not.toBe(c.version);

    crm.store.update('customers', c.id, { City: 'Bergen' });
    const stale = await conn
      .update('Customer', c.id, { City: 'Tromsø' }, { ifMatch: after.version ?? '' })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConnectorError);
    expect((stale as ConnectorError).code).toBe('STALE');
    expect(crm.store.get('customers', c.id)).toMatchObject({ City: 'Bergen' });
  });

  it('deletes, and a second delete is harmless', async () => {
    const c = await conn.create(
      'Customer',
      { Name: `Doomed ${setup.shape}` },
      { idempotencyKey: `k-${setup.shape}-3`, externalRef: ref(`d-${setup.shape}`) },
    );
    await conn.delete('Customer', c.id);
    expect(await conn.read('Customer', c.id)).toBeNull();
    await expect(conn.delete('Customer', c.id)).resolves.toBeUndefined();
  });

  it('reports changes since a watermark (or asks for a full read)', async () => {
    const start = await conn.changesSince(undefined);
    const [customer] = crm.store.list('customers', { limit: 1 }).data;
    const contact = crm.store.create('contacts', { FirstName: 'Temp', LastName: setup.shape });
    crm.store.update('customers', customer?.Id ?? '', { Description: `edited ${setup.shape}` });
    crm.store.delete('contacts', contact.Id);
    const batch = await conn.changesSince(start.watermark);
    expect(batch.complete).toBe(setup.incremental);
    if (!setup.incremental) return expect(batch.changes).toEqual([]);
    const upsert = batch.changes.find((c) => c.id === customer?.Id);
    expect(upsert?.op).toBe('upsert');
    expect(upsert?.record?.props.Description).toBe(`edited ${setup.shape}`);
    expect(batch.changes.find((c) => c.id === contact.Id)?.op).toBe('delete');
    // With the server's clock as the watermark the next read starts after the edit; with the
    // local clock (no server-time header) it may repeat it, which is safe, never skip it.
    const again = await conn.changesSince(batch.watermark);
    if (setup.profile.serverTimeHeader)
      expect(again.changes.find((c) => c.id === customer?.Id)).toBeUndefined();
    expect(again.complete).toBe(true);

    const seen = [];
    for await (const r of conn.readModifiedSince('Contact', start.watermark)) seen.push(r);
    expect(seen.some((r) => isTombstone(r) && r.id === contact.Id)).toBe(true);
  });

  it('turns a rejected write into INVALID_RECORD naming the contract property', async () => {
    const err = await conn
      .create(
        'Contact',
        { FirstName: 'X', Email: 'not-an-email' },
        { idempotencyKey: `k-${setup.shape}-4`, externalRef: ref('x') },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('INVALID_RECORD');
    expect((err as ConnectorError).info.property).toBe('Email');
  });
});

describe('customcrm connector, a CRM that is down', () => {
  it('says it cannot connect, not that the URL is no Customcrm API (issue 15, finding 14)', async () => {
    // A port that was just free: nothing listens there.
    const { createServer } = await import('node:net');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const conn = createCustomcrmConnector(
      customcrmConfigSchema.parse({
        url: `http://127.0.0.1:${port}/v1`,
        token: 'crm-down-token-0123',
        retry: { maxAttempts: 1 },
      }),
    );
    const err = (await conn.verify().catch((e: unknown) => e)) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toContain(`cannot connect to http://127.0.0.1:${port}/v1`);
    expect(err.message).toContain('Check that the CRM is running');
    expect(err.message).not.toContain('does not answer as a Customcrm API');
  });
});
