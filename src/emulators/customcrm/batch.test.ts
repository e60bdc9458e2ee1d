import { afterEach, describe, expect, it } from 'vitest';
import { startOnFile } from '../../../test/support/emulators/customcrm-testkit.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function server(disable: Array<'batch'> = []) {
  const t = await startOnFile({ seed: 'demo', disable });
  cleanups.push(t.stop);
  return t;
}

describe('Customcrm reference server: batch writes', () => {
  it('creates each item on its own: one result per item, in order, with per-item problems', async () => {
    const t = await server();
    const res = await t.call('POST', '/v1/contacts/batch/create', {
      body: {
        items: [
          {
            idempotencyKey: 'k-1',
            record: { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' },
          },
          { record: { FirstName: 'No', Email: 'not-an-email' } },
          {
            idempotencyKey: 'k-3',
            record: {
              FirstName: 'Bo',
              LastName: 'Ek',
              ExternalRefs: [{ System: 'YouTrack', Type: 'User', Id: 'u-3' }],
            },
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    const [a, b, c] = res.body.results;
    expect(a).toMatchObject({ status: 201, etag: '"1"', record: { FirstName: 'Ada', Version: 1 } });
    expect(b.status).toBe(422);
    expect(b.problem.type).toMatch(/validation-failed$/);
    expect(c.record.ExternalRefs).toEqual([{ System: 'YouTrack', Type: 'User', Id: 'u-3' }]);
    expect((await t.call('GET', `/v1/contacts/${a.record.Id}`)).body).toEqual(a.record);
  });

  it('replays an item whose idempotency key was used before, also by a single POST', async () => {
    const t = await server();
    const record = { Name: 'Batch Co' };
    const single = await t.call('POST', '/v1/customers', {
      body: record,
      headers: { 'idempotency-key': 'same' },
    });
    const res = await t.call('POST', '/v1/customers/batch/create', {
      body: {
        items: [
          { idempotencyKey: 'same', record },
          { idempotencyKey: 'same', record: { Name: 'Another' } },
        ],
      },
    });
    expect(res.body.results[0]).toMatchObject({
      status: 201,
      replayed: true,
      record: { Id: single.body.Id },
    });
    expect(res.body.results[1].status).toBe(422);
    expect(res.body.results[1].problem.type).toMatch(/idempotency-key-reused$/);
    const all = await t.call('GET', '/v1/customers?limit=1000');
    expect(all.body.data.filter((c: { Name: string }) => c.Name === 'Batch Co')).toHaveLength(1);
  });

  it('updates with a per-item If-Match and refuses a batch of more than 100 items', async () => {
    const t = await server();
    const res = await t.call('POST', '/v1/customers/batch/update', {
      body: {
        items: [
          { id: 'cus_000001', ifMatch: '"1"', patch: { City: 'Oslo' } },
          { id: 'cus_000002', ifMatch: '"99"', patch: { City: 'Bergen' } },
          { id: 'cus_999999', patch: { City: 'Nowhere' } },
        ],
      },
    });
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([200, 412, 404]);
    expect(res.body.results[0].record.City).toBe('Oslo');
    const tooMany = await t.call('POST', '/v1/customers/batch/create', {
      body: { items: Array.from({ length: 101 }, (_, i) => ({ record: { Name: `n${i}` } })) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toMatch(/1 to 100 items/);
  });

  it('has no batch endpoint with --disable batch (404), so clients write one by one', async () => {
    const t = await server(['batch']);
    const res = await t.call('POST', '/v1/customers/batch/create', {
      body: { items: [{ record: { Name: 'x' } }] },
      unchecked: true,
    });
    expect(res.status).toBe(404);
    expect((await t.call('GET', '/v1/capabilities', { token: null })).body.batch).toBe(false);
  });
});
