import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCustomcrmServer, type CrmCapability } from './index.ts';
import { validateResponse } from '../../../test/support/emulators/customcrm-openapi.ts';
import { client, startOnFile, tempDir } from '../../../test/support/emulators/customcrm-testkit.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function withDisabled(...disable: CrmCapability[]) {
  const t = await startOnFile({ seed: 'demo', disable });
  cleanups.push(t.stop);
  return t;
}

describe('Customcrm reference server: restart', () => {
  it('keeps records, tombstones, idempotency keys and subscriptions in the same --db file', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = join(dir, 'crm.sqlite');
    const first = await startCustomcrmServer({ db, seed: 'demo' });
    const call1 = client(first);
    const ref = { System: 'tandem', Type: 'youtrack.user', Id: 'u-1' };
    const created = await call1('POST', '/v1/contacts', {
      body: { FirstName: 'Siobhán', LastName: 'Ní Bhriain', ExternalRefs: [ref] },
      headers: { 'idempotency-key': 'k-restart' },
    });
    await call1('PATCH', '/v1/contacts/con_000001', { body: { Title: 'Chief' } });
    await call1('DELETE', '/v1/contacts/con_000002');
    await call1('POST', '/v1/webhooks', {
      body: { Url: 'http://127.0.0.1:9/x', Events: ['*'], Secret: 'secret-123456' },
    });
    await first.close();

    const second = await startCustomcrmServer({ db, seed: 'demo' });
    cleanups.push(() => second.close());
    const call2 = client(second);
    expect(second.store.count('contacts')).toBe(8);
    expect((await call2('GET', `/v1/contacts/${created.body.Id}`)).body).toEqual(created.body);
    expect((await call2('GET', '/v1/contacts/con_000001')).body).toMatchObject({
      Title: 'Chief',
      Version: 2,
    });
    expect((await call2('GET', '/v1/contacts/con_000002')).status).toBe(404);
    const found = await call2('GET', '/v1/contacts?externalRef=tandem:youtrack.user:u-1');
    expect(found.body.data.map((c: { Id: string }) => c.Id)).toEqual([created.body.Id]);
    const replay = await call2('POST', '/v1/contacts', {
      body: { FirstName: 'Siobhán', LastName: 'Ní Bhriain', ExternalRefs: [ref] },
      headers: { 'idempotency-key': 'k-restart' },
    });
    expect([replay.body.Id, replay.headers.get('idempotent-replayed')]).toEqual([created.body.Id, 'true']);
    expect((await call2('GET', '/v1/webhooks')).body.data).toHaveLength(1);
    const next = await call2('POST', '/v1/contacts', { body: { LastName: 'Conceição' } });
    expect(next.body.Id).toBe('con_000010');
  });
});

describe('Customcrm reference server: --disable', () => {
  it('etag: no ETag, no Version, If-Match ignored', async () => {
    const t = await withDisabled('etag');
    const res = await t.call('GET', '/v1/customers/cus_000001', { unchecked: true });
    expect(res.headers.get('etag')).toBeNull();
    // The contract requires both, so the check names exactly what is missing.
    expect(validateResponse('GET', '/customers/{id}', res.status, res.body, res.headers)).toEqual([
      'GET /customers/{id} 200: header ETag is missing',
      "GET /customers/{id} 200: (body) must have required property 'Version'",
    ]);
    const patched = await t.call('PATCH', '/v1/customers/cus_000001', {
      body: { City: 'Bodø' },
      headers: { 'if-match': '"42"' },
      unchecked: true,
    });
    expect([patched.status, patched.body.City]).toEqual([200, 'Bodø']);
    expect((await t.call('GET', '/v1/capabilities')).body.etag).toBe(false);
  });

  it('idempotency: a repeated key creates a second record', async () => {
    const t = await withDisabled('idempotency');
    const headers = { 'idempotency-key': 'same' };
    const a = await t.call('POST', '/v1/customers', { body: { Name: 'Twice AB' }, headers });
    const b = await t.call('POST', '/v1/customers', { body: { Name: 'Twice AB' }, headers });
    expect(a.body.Id).not.toBe(b.body.Id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('externalRefs: the property is an unknown property and the filter a bad parameter', async () => {
    const t = await withDisabled('externalRefs');
    const res = await t.call('PATCH', '/v1/contacts/con_000001', {
      body: { ExternalRefs: [{ System: 'a', Type: 'b', Id: 'c' }] },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ property: 'ExternalRefs', code: 'unknown-property' }),
    ]);
    expect((await t.call('GET', '/v1/contacts?externalRef=a:b:c')).status).toBe(400);
    const one = await t.call('GET', '/v1/contacts/con_000001', { unchecked: true });
    expect(one.body).not.toHaveProperty('ExternalRefs');
  });

  it('webhooks: /v1/webhooks is 404; modifiedSince: the parameter is 400', async () => {
    const t = await withDisabled('webhooks', 'modifiedSince');
    expect((await t.call('GET', '/v1/webhooks')).status).toBe(404);
    const res = await t.call('GET', '/v1/contacts?modifiedSince=2026-01-01T00:00:00.000Z');
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('modifiedSince');
    expect((await t.call('GET', '/v1/capabilities')).body).toEqual({
      etag: true,
      idempotencyKeys: true,
      externalRefs: true,
      webhooks: false,
      modifiedSince: false,
      batch: true,
    });
  });
});

describe('Customcrm reference server: faults', () => {
  it('answers 5xx and 429 without applying the call, never on /_admin', async () => {
    const t = await startOnFile({ seed: 'demo', faults: '5xx=1' });
    cleanups.push(t.stop);
    const failed = await t.call('POST', '/v1/customers', { body: { Name: 'Lost GmbH' } });
    expect([500, 502, 503]).toContain(failed.status);
    expect(t.server.store.count('customers')).toBe(4);
    const admin = await fetch(`${t.server.url}/_admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: '429=1,retry-after=7' }),
    });
    expect(admin.status).toBe(200);
    const limited = await t.call('GET', '/v1/customers');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    expect(t.server.faults.counters).toMatchObject({ error5xx: 1, rate429: 1 });
  });

  it('truncates the answer of a call whose effect was applied; drops without applying', async () => {
    const t = await startOnFile({ seed: 'demo', faults: 'truncate=1' });
    cleanups.push(t.stop);
    const res = await fetch(`${t.server.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: 'Bearer crm-demo-token', 'content-type': 'application/json' },
      body: JSON.stringify({ Name: 'Half Sent Oy' }),
    });
    expect(res.status).toBe(201);
    await expect(res.text()).rejects.toThrow();
    expect(t.server.store.count('customers')).toBe(5);
    t.server.faults.set('drop=1');
    await expect(
      fetch(`${t.server.url}/v1/customers`, {
        method: 'POST',
        headers: { authorization: 'Bearer crm-demo-token', 'content-type': 'application/json' },
        body: JSON.stringify({ Name: 'Never Ltd' }),
      }),
    ).rejects.toThrow();
    expect(t.server.store.count('customers')).toBe(5);
  });
});
