import { afterEach, describe, expect, it } from 'vitest';
import { startCustomcrmServer, type CrmCapability } from '../../emulators/customcrm/index.ts';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import type { Props } from '../../core/types.ts';
import { ConnectorError } from '../types.ts';
import { runConformanceCheck } from './conformance.ts';
import { createCustomcrmConnector, customcrmConfigSchema } from './index.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function setup(disable: CrmCapability[] = [], profile: Record<string, unknown> = {}) {
  const crm = await startCustomcrmServer({ seed: 'demo', disable });
  closers.push(() => crm.close());
  const sink = new MemorySink();
  const conn = createCustomcrmConnector(
    customcrmConfigSchema.parse({
      url: `${crm.url}/v1`,
      token: 'crm-demo-token',
      profile,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    }),
    { logger: new JsonLogger(sink, 'debug') },
  );
  return { crm, conn, sink };
}

const item = (id: string, props: Props) => ({
  props,
  opts: { idempotencyKey: `key-${id}`, externalRef: { System: 'YouTrack', Type: 'User', Id: id } },
});

describe('customcrm connector: batch create', () => {
  it('creates many records in one request, with each item failing on its own', async () => {
    const { crm, conn } = await setup();
    expect(conn.batchSize?.()).toBe(100);
    const results = await conn.createMany!('Contact', [
      item('u-1', { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' }),
      item('u-2', { FirstName: 'Bad', Email: 'not an e-mail' }),
      item('u-3', { FirstName: 'Bo', LastName: 'Ek' }),
    ]);
    expect(results).toHaveLength(3);
    const [a, b, c] = results!;
    expect(a).toMatchObject({ type: 'Contact', props: { FirstName: 'Ada' } });
    expect(b).toBeInstanceOf(ConnectorError);
    expect((b as Error).message).toMatch(/create Contact/);
    expect(c).toMatchObject({ props: { LastName: 'Ek' } });
    const stored = crm.store.list('contacts', { limit: 1000 }).data;
    expect(stored.filter((r) => r.ExternalRefs.some((x) => x.Id === 'u-1'))).toHaveLength(1);
    expect(stored.filter((r) => r.ExternalRefs.some((x) => x.Id === 'u-2'))).toHaveLength(0);
  });

  it('repeats a batch without duplicating: every item replays its first answer by its key', async () => {
    const { crm, conn } = await setup();
    const items = [item('u-7', { FirstName: 'Cy', LastName: 'Once' }), item('u-8', { FirstName: 'Di' })];
    const first = await conn.createMany!('Contact', items);
    const again = await conn.createMany!('Contact', items);
    expect(again!.map((r) => (r as { id: string }).id)).toEqual(first!.map((r) => (r as { id: string }).id));
    const stored = crm.store.list('contacts', { limit: 1000 }).data;
    expect(stored.filter((r) => r.ExternalRefs.some((x) => x.Id === 'u-7'))).toHaveLength(1);
  });

  it('falls back to single writes when the CRM has no batch endpoint, and says so once', async () => {
    const { conn, sink } = await setup(['batch']);
    expect(
      await conn.createMany!('Customer', [item('g-1', { Name: 'One' }), item('g-2', { Name: 'Two' })]),
    ).toBe(undefined);
    expect(conn.batchSize?.()).toBe(0);
    expect(await conn.createMany!('Customer', [item('g-3', { Name: 'Three' })])).toBe(undefined);
    const warns = sink.records().filter((r) => r.level === 'warn' && JSON.stringify(r).includes('batch'));
    expect(warns).toHaveLength(1);
  });

  it('sends no batch when the profile says the CRM has none', async () => {
    const { conn } = await setup([], { batch: false });
    expect(conn.batchSize?.()).toBe(0);
    expect((await conn.verify()).fallbacks.join(' ')).toMatch(/no batch writes/);
  });
});

describe('customcrm connector: batch update', () => {
  it('updates many records in one request, each item checked against its own version', async () => {
    const { crm, conn } = await setup();
    const created = (await conn.createMany!('Contact', [
      item('u-11', { FirstName: 'Al', LastName: 'One' }),
      item('u-12', { FirstName: 'Bea', LastName: 'Two' }),
      item('u-13', { FirstName: 'Cal', LastName: 'Three' }),
    ]))! as Array<{ id: string; version?: string }>;
    const [a, b, c] = created;
    // Someone edits b after it was read: its update must not overwrite that edit.
    await conn.update('Contact', b!.id, { Title: 'Edited elsewhere' });
    const results = await conn.updateMany!('Contact', [
      { id: a!.id, patch: { LastName: 'Uno' }, opts: { ifMatch: a!.version! } },
      { id: b!.id, patch: { LastName: 'Dos' }, opts: { ifMatch: b!.version! } },
      { id: c!.id, patch: { Email: 'not an e-mail' } },
    ]);
    expect(results).toHaveLength(3);
    const [ra, rb, rc] = results!;
    expect(ra).toMatchObject({ id: a!.id, props: { LastName: 'Uno' } });
    expect((ra as { version?: string }).version).not.toBe(a!.version);
    expect(rb).toBeInstanceOf(ConnectorError);
    expect((rb as ConnectorError).code).toBe('STALE');
    expect(rc).toBeInstanceOf(ConnectorError);
    expect((rc as ConnectorError).code).toBe('INVALID_RECORD');
    const lastName = (id: string) =>
      (crm.store.list('contacts', { limit: 1000 }).data.find((r) => r.Id === id) as { LastName?: string })
        ?.LastName;
    expect(lastName(a!.id)).toBe('Uno');
    expect(lastName(b!.id)).toBe('Two');
  });

  it('leaves the updates to single writes when the CRM has no batch endpoint or updates with PUT', async () => {
    const none = await setup(['batch']);
    const [x] = (await none.conn.createMany!('Customer', [item('g-9', { Name: 'Nine' })])) ?? [
      await none.conn.create('Customer', { Name: 'Nine' }, item('g-9', {}).opts),
    ];
    const id = (x as { id: string }).id;
    expect(await none.conn.updateMany!('Customer', [{ id, patch: { Name: 'Ninth' } }])).toBe(undefined);
    const put = await setup([], { updateMethod: 'PUT' });
    expect(await put.conn.updateMany!('Customer', [{ id: 'any', patch: { Name: 'X' } }])).toBe(undefined);
  });
});

describe('tandem check customcrm: batch writes', () => {
  const batchCheck = async (disable: CrmCapability[], write: boolean) => {
    const { crm } = await setup(disable);
    const report = await runConformanceCheck({ url: `${crm.url}/v1`, token: 'crm-demo-token', write });
    return report.checks.find((c) => c.capability === 'batch writes');
  };

  it('finds the batch endpoint, with and without --write', async () => {
    expect(await batchCheck([], true)).toMatchObject({ status: 'passed', required: false });
    expect(await batchCheck([], false)).toMatchObject({ status: 'passed' });
  });

  it('reports it missing, with the fallback, when the CRM has none', async () => {
    const check = await batchCheck(['batch'], true);
    expect(check).toMatchObject({ status: 'missing', fallback: expect.stringMatching(/one per request/) });
  });
});
