import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOnFile } from '../../../test/support/emulators/customcrm-testkit.ts';

let t: Awaited<ReturnType<typeof startOnFile>>;
beforeEach(async () => {
  t = await startOnFile({ seed: 'demo' });
});
afterEach(() => t.stop());

describe('Customcrm reference server: records', () => {
  it('answers 401 problem+json without or with a wrong token; capabilities need none', async () => {
    const none = await t.call('GET', '/v1/customers', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect((await t.call('GET', '/v1/customers', { token: 'wrong' })).status).toBe(401);
    const caps = await t.call('GET', '/v1/capabilities', { token: null });
    expect(caps.body).toEqual({
      etag: true,
      idempotencyKeys: true,
      externalRefs: true,
      webhooks: true,
      modifiedSince: true,
      batch: true,
    });
  });

  it('creates, reads, patches and deletes a contact with Version, ETag and Location', async () => {
    const created = await t.call('POST', '/v1/contacts', {
      body: { FirstName: 'Åsa', LastName: 'Lindqvist', Email: 'asa@example.com', CustomerId: 'cus_000001' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ Version: 1, Active: true, ExternalRefs: [], Title: null });
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/contacts/${created.body.Id}`);
    const path = `/v1/contacts/${created.body.Id}`;
    expect((await t.call('GET', path)).body).toEqual(created.body);

    const patched = await t.call('PATCH', path, {
      body: { Title: 'CTO', Email: null },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ Title: 'CTO', Email: null, FirstName: 'Åsa', Version: 2 });
    expect(patched.headers.get('etag')).toBe('"2"');

    expect((await t.call('DELETE', path)).status).toBe(204);
    expect((await t.call('GET', path)).status).toBe(404);
    expect((await t.call('PATCH', path, { body: { Title: 'x' } })).status).toBe(404);
  });

  it('names the property in each validation error', async () => {
    const res = await t.call('POST', '/v1/customers', {
      body: { Name: 'x'.repeat(201), Email: 'not-an-email', City: 7, Colour: 'blue', Version: 3 },
    });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('https://tandem.dev/problems/validation-failed');
    const byProperty = Object.fromEntries(
      res.body.errors.map((e: { property: string; code: string }) => [e.property, e.code]),
    );
    expect(byProperty).toEqual({
      Name: 'too-long',
      Email: 'invalid-email',
      City: 'invalid-type',
      Colour: 'unknown-property',
      Version: 'read-only',
    });
    const missing = await t.call('POST', '/v1/customers', { body: { City: 'Oslo' } });
    expect(missing.body.errors).toEqual([expect.objectContaining({ property: 'Name', code: 'required' })]);
    const noName = await t.call('POST', '/v1/contacts', { body: { FirstName: ' ', Email: 'a@b.example' } });
    expect(noName.body.errors.map((e: { property: string }) => e.property)).toEqual([
      'FirstName',
      'LastName',
    ]);
    const badRef = await t.call('POST', '/v1/contacts', {
      body: { LastName: 'X', CustomerId: 'cus_999999' },
    });
    expect(badRef.body.errors).toEqual([
      expect.objectContaining({ property: 'CustomerId', code: 'unknown-reference' }),
    ]);
    const badType = await t.call('PATCH', '/v1/contacts/con_000001', { body: { Active: 'yes' } });
    expect(badType.body.errors).toEqual([
      expect.objectContaining({ property: 'Active', code: 'invalid-type' }),
    ]);
    const badJson = await t.call('POST', '/v1/customers', { body: '{"Name": ' });
    expect([badJson.status, badJson.body.type]).toEqual([400, 'https://tandem.dev/problems/malformed-json']);
  });

  it('refuses a stale If-Match with 412 and keeps the record', async () => {
    await t.call('PATCH', '/v1/customers/cus_000001', { body: { Phone: '+47 1' } });
    const stale = await t.call('PATCH', '/v1/customers/cus_000001', {
      body: { Phone: '+47 2' },
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.type).toBe('https://tandem.dev/problems/precondition-failed');
    expect(stale.body.detail).toMatch(/cus_000001 is at ETag "2"/);
    expect((await t.call('GET', '/v1/customers/cus_000001')).body.Phone).toBe('+47 1');
    expect(
      (await t.call('DELETE', '/v1/customers/cus_000001', { headers: { 'if-match': '"1"' } })).status,
    ).toBe(412);
    expect(
      (await t.call('DELETE', '/v1/customers/cus_000001', { headers: { 'if-match': 'W/"2"' } })).status,
    ).toBe(204);
  });

  it('leaves Version and UpdatedAt alone on a patch that changes nothing', async () => {
    const before = (await t.call('GET', '/v1/customers/cus_000002')).body;
    const same = await t.call('PATCH', '/v1/customers/cus_000002', {
      body: { Name: before.Name, City: before.City },
    });
    expect(same.body).toEqual(before);
    expect((await t.call('PATCH', '/v1/customers/cus_000002', { body: {} })).body.Version).toBe(
      before.Version,
    );
  });

  it('replays a create with the same Idempotency-Key and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': 'create-1' };
    const first = await t.call('POST', '/v1/customers', { body: { Name: 'Øresund Energy A/S' }, headers });
    const again = await t.call('POST', '/v1/customers', { body: { Name: 'Øresund Energy A/S' }, headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const reused = await t.call('POST', '/v1/customers', { body: { Name: 'Other' }, headers });
    expect([reused.status, reused.body.type]).toEqual([
      422,
      'https://tandem.dev/problems/idempotency-key-reused',
    ]);
    expect(t.server.store.count('customers')).toBe(5);
  });

  it('filters by e-mail (trimmed, any case) and by external reference', async () => {
    const byEmail = await t.call(
      'GET',
      `/v1/contacts?email=${encodeURIComponent(' AMELIE.lefevre@cafe-societe.example')}`,
    );
    expect(byEmail.body.data.map((c: { LastName: string }) => c.LastName)).toEqual(['Lefèvre']);
    const twins = await t.call('GET', '/v1/contacts?email=jane.doe@acme.example');
    expect(twins.body.data).toHaveLength(2);

    const ref = { System: 'tandem', Type: 'youtrack.user', Id: '1-6:x' };
    await t.call('PATCH', '/v1/contacts/con_000003', { body: { ExternalRefs: [ref] } });
    const found = await t.call(
      'GET',
      `/v1/contacts?externalRef=${encodeURIComponent('tandem:youtrack.user:1-6:x')}`,
    );
    expect(found.body.data.map((c: { Id: string }) => c.Id)).toEqual(['con_000003']);
    expect((await t.call('GET', '/v1/contacts?externalRef=tandem:youtrack.user:1-6')).body.data).toEqual([]);
    expect((await t.call('GET', '/v1/contacts?externalRef=nocolons')).status).toBe(400);
    const dup = await t.call('PATCH', '/v1/contacts/con_000003', { body: { ExternalRefs: [ref, ref] } });
    expect(dup.body.errors).toEqual([
      expect.objectContaining({ property: 'ExternalRefs[1]', code: 'duplicate' }),
    ]);
  });

  it('keeps tombstones for includeDeleted, and a deleted customer releases its contacts', async () => {
    const ref = { System: 'tandem', Type: 'youtrack.group', Id: 'g1' };
    await t.call('PATCH', '/v1/customers/cus_000004', { body: { ExternalRefs: [ref] } });
    expect((await t.call('DELETE', '/v1/customers/cus_000004')).status).toBe(204);
    expect((await t.call('DELETE', '/v1/customers/cus_000004')).status).toBe(404);
    const live = await t.call('GET', '/v1/customers');
    expect(live.body.data.map((c: { Id: string }) => c.Id)).not.toContain('cus_000004');
    const all = await t.call('GET', '/v1/customers?includeDeleted=true');
    const tomb = all.body.data.find((c: { Id: string }) => c.Id === 'cus_000004');
    expect(tomb).toEqual({
      Id: 'cus_000004',
      Deleted: true,
      UpdatedAt: expect.any(String),
      Version: 3,
      ExternalRefs: [ref],
    });
    const contacts = (await t.call('GET', '/v1/contacts')).body.data.filter((c: { LastName: string }) =>
      ['Smith', 'Doe', 'Doe-Smith'].includes(c.LastName),
    );
    expect(contacts.map((c: { CustomerId: null; Version: number }) => [c.CustomerId, c.Version])).toEqual([
      [null, 2],
      [null, 2],
      [null, 2],
    ]);
  });

  it('rejects bad list parameters with 400 naming the parameter', async () => {
    for (const q of [
      'limit=0',
      'limit=1001',
      'cursor=zzz',
      'modifiedSince=yesterday',
      'includeDeleted=yes',
      'colour=red',
    ]) {
      const res = await t.call('GET', `/v1/customers?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.detail, q).toContain(q.split('=')[0]);
    }
    // Not in the document, so checked by hand: still a problem document.
    const unknown = await t.call('GET', '/v1/nothing', { unchecked: true });
    expect([unknown.status, unknown.body.type]).toEqual([404, 'https://tandem.dev/problems/not-found']);
  });
});

describe('Customcrm reference server: idempotency keys over time, body limits', () => {
  it('keeps a key for 24 hours and forgets it afterwards', async () => {
    let now = Date.parse('2026-05-01T08:00:00.000Z');
    const s = await startOnFile({ clock: () => now });
    try {
      const headers = { 'idempotency-key': 'daily' };
      const first = await s.call('POST', '/v1/customers', { body: { Name: 'Turku Software Oy' }, headers });
      now += 24 * 60 * 60 * 1000;
      const replay = await s.call('POST', '/v1/customers', { body: { Name: 'Turku Software Oy' }, headers });
      expect(replay.body.Id).toBe(first.body.Id);
      now += 2 * 60 * 60 * 1000;
      const fresh = await s.call('POST', '/v1/customers', { body: { Name: 'Turku Software Oy' }, headers });
      expect(fresh.body.Id).not.toBe(first.body.Id);
    } finally {
      await s.stop();
    }
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await t.call('POST', '/v1/customers', {
      body: { Name: 'x', Description: 'y'.repeat(1_100_000) },
    });
    expect([res.status, res.body.type]).toEqual([413, 'https://tandem.dev/problems/payload-too-large']);
  });
});
