import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { validateWebhookEvent } from '../../../test/support/emulators/customcrm-openapi.ts';
import { startOnFile } from '../../../test/support/emulators/customcrm-testkit.ts';

interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

/** A webhook receiver that answers with the given statuses in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const deliveries: Delivery[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, raw });
      res.writeHead(statuses.shift() ?? 200).end();
      for (const w of waiters.filter((w) => deliveries.length >= w.n)) w.resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    received: (n: number) =>
      new Promise<void>((resolve) => (deliveries.length >= n ? resolve() : waiters.push({ n, resolve }))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The receiver's side of the documented algorithm. */
function verify(secret: string, d: Delivery): boolean {
  const ts = String(d.headers['customcrm-webhook-timestamp']);
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${ts}.${d.raw}`).digest('hex')}`);
  const given = Buffer.from(String(d.headers['customcrm-webhook-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const SECRET = 'whsec-test-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(statuses: number[] = [], retry = { attempts: 4, baseDelayMs: 10 }) {
  const hook = await receiver(statuses);
  const t = await startOnFile({ seed: 'demo', webhookRetry: retry });
  cleanups.push(hook.close, t.stop);
  return { hook, t };
}

describe('Customcrm reference server: webhooks', () => {
  it('subscribes without echoing the secret and lists and removes subscriptions', async () => {
    const { hook, t } = await setup();
    const created = await t.call('POST', '/v1/webhooks', {
      body: { Url: hook.url, Events: ['*'], Secret: SECRET },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(SECRET);
    const list = await t.call('GET', '/v1/webhooks');
    expect(list.body.data).toEqual([created.body]);
    const bad = await t.call('POST', '/v1/webhooks', {
      body: { Url: 'ftp://x', Events: ['contact.renamed'], Secret: 'short' },
    });
    expect(bad.body.errors.map((e: { property: string }) => e.property)).toEqual(['Url', 'Events', 'Secret']);
    expect((await t.call('DELETE', `/v1/webhooks/${created.body.Id}`)).status).toBe(204);
    expect((await t.call('DELETE', `/v1/webhooks/${created.body.Id}`)).status).toBe(404);
  });

  it('signs each delivery verifiably and retries after a 500 with the same event Id', async () => {
    const { hook, t } = await setup([500]);
    await t.call('POST', '/v1/webhooks', { body: { Url: hook.url, Events: ['*'], Secret: SECRET } });
    // A person edits the contact in the CRM itself, not through the API.
    const record = t.server.store.update('contacts', 'con_000001', { Title: 'Sales Director' });
    await hook.received(2);
    const [first, second] = hook.deliveries as [Delivery, Delivery];
    expect(verify(SECRET, first)).toBe(true);
    expect(verify(SECRET, second)).toBe(true);
    expect(verify('another-secret', second)).toBe(false);
    expect(second.headers['customcrm-webhook-id']).toBe(first.headers['customcrm-webhook-id']);
    const event = JSON.parse(second.raw);
    expect(validateWebhookEvent(event)).toEqual([]);
    expect(event).toMatchObject({
      Id: first.headers['customcrm-webhook-id'],
      Type: 'contact.updated',
      Data: record,
    });
    expect(Math.abs(Number(second.headers['customcrm-webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(
      60,
    );
  });

  it('sends only the subscribed event types, tombstones for deletes, and nothing after unsubscribe', async () => {
    const { hook, t } = await setup();
    const sub = await t.call('POST', '/v1/webhooks', {
      body: { Url: hook.url, Events: ['customer.deleted'], Secret: SECRET },
    });
    await t.call('PATCH', '/v1/customers/cus_000003', { body: { City: 'Augsburg' } });
    await t.call('DELETE', '/v1/customers/cus_000003');
    await hook.received(1);
    const event = JSON.parse(hook.deliveries[0]?.raw ?? '{}');
    expect(validateWebhookEvent(event)).toEqual([]);
    expect(event).toMatchObject({
      Type: 'customer.deleted',
      Data: { Id: 'cus_000003', Deleted: true, Version: 3 },
    });
    await t.call('DELETE', `/v1/webhooks/${sub.body.Id}`);
    await t.call('DELETE', '/v1/customers/cus_000004');
    await t.server.close();
    expect(hook.deliveries).toHaveLength(1);
  });

  it('gives up after the configured attempts, and close() stops a delivery waiting for its retry', async () => {
    const { hook, t } = await setup([500, 500, 500, 500], { attempts: 2, baseDelayMs: 5 });
    await t.call('POST', '/v1/webhooks', {
      body: { Url: hook.url, Events: ['contact.created'], Secret: SECRET },
    });
    await t.call('POST', '/v1/contacts', { body: { LastName: 'Wójcik' } });
    await hook.received(2);
    const slow = await setup([500], { attempts: 6, baseDelayMs: 60_000 });
    await slow.t.call('POST', '/v1/webhooks', {
      body: { Url: slow.hook.url, Events: ['*'], Secret: SECRET },
    });
    slow.t.server.store.create('customers', { Name: 'Peña Foods S.L.' });
    await slow.hook.received(1);
    const started = Date.now();
    await slow.t.server.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(slow.hook.deliveries).toHaveLength(1);
    await t.server.close();
    expect(hook.deliveries).toHaveLength(2);
  });
});
