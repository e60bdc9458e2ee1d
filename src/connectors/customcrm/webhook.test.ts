import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCustomcrmServer } from '../../emulators/customcrm/index.ts';
import type { CustomcrmServer } from '../../emulators/customcrm/index.ts';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import { ManualClock } from '../../util/clock.ts';
import { createCustomcrmConnector, customcrmConfigSchema } from './index.ts';
import { createWebhookReceiver, MemoryReplayCache, signWebhook } from './webhook.ts';

const SECRET = 'whsec-test-0123456789';
const NOW = Date.parse('2026-03-01T12:00:00.000Z');

function delivery(body: object, ts = NOW / 1000, secret = SECRET) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(ts));
  return {
    raw,
    headers: {
      'Customcrm-Webhook-Id': (body as { Id?: string }).Id,
      'Customcrm-Webhook-Timestamp': timestamp,
      'Customcrm-Webhook-Signature': signWebhook(secret, timestamp, raw),
    },
  };
}

const event = (
  id: string,
  type = 'contact.updated',
  data: object = { Id: 'con_000001', FirstName: 'Ada', Version: 2 },
) => ({
  Id: id,
  Type: type,
  OccurredAt: '2026-03-01T11:59:59.000Z',
  Data: data,
});

describe('webhook receiver', () => {
  const sink = new MemorySink();
  const receiver = createWebhookReceiver({
    secret: SECRET,
    clock: new ManualClock(NOW),
    logger: new JsonLogger(sink),
  });

  it('accepts a signed event and turns it into a change under contract names', () => {
    const d = delivery(event('evt_1'));
    const r = receiver.handle(d.raw, d.headers);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.change).toMatchObject({
      type: 'Contact',
      id: 'con_000001',
      op: 'upsert',
      at: '2026-03-01T11:59:59.000Z',
    });
    expect(r.change.record?.props.FirstName).toBe('Ada');
    expect(r.change.record?.version).toBe('2');
  });

  it('turns a delete event into a delete change', () => {
    const d = delivery(event('evt_2', 'customer.deleted', { Id: 'cus_000009', Deleted: true, Version: 4 }));
    const r = receiver.handle(d.raw, d.headers);
    expect(r.ok && r.change).toMatchObject({ type: 'Customer', id: 'cus_000009', op: 'delete' });
  });

  it('rejects a forged signature, a tampered body, a stale timestamp, a replay and junk', () => {
    const forged = delivery(event('evt_3'), NOW / 1000, 'not-the-secret');
    expect(receiver.handle(forged.raw, forged.headers)).toMatchObject({
      ok: false,
      status: 401,
      code: 'BAD_SIGNATURE',
    });
    const real = delivery(event('evt_4'));
    expect(receiver.handle(real.raw.replace('Ada', 'Eve'), real.headers)).toMatchObject({
      code: 'BAD_SIGNATURE',
    });
    const stale = delivery(event('evt_5'), NOW / 1000 - 301);
    expect(receiver.handle(stale.raw, stale.headers)).toMatchObject({ status: 401, code: 'STALE_TIMESTAMP' });
    const fresh = delivery(event('evt_6'), NOW / 1000 - 299);
    expect(receiver.handle(fresh.raw, fresh.headers).ok).toBe(true);
    expect(receiver.handle(fresh.raw, fresh.headers)).toMatchObject({ status: 400, code: 'REPLAYED' });
    expect(receiver.handle('{}', {})).toMatchObject({ status: 400, code: 'MALFORMED' });
    const unknownType = delivery(event('evt_7', 'order.created'));
    expect(receiver.handle(unknownType.raw, unknownType.headers)).toMatchObject({ code: 'MALFORMED' });
  });

  it('never logs the secret or a signature', () => {
    const text = sink.lines.join('');
    expect(sink.records().some((r) => r.code === 'BAD_SIGNATURE')).toBe(true);
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/v1=[0-9a-f]{64}/);
  });

  it('keeps a bounded replay cache', () => {
    const cache = new MemoryReplayCache(2);
    cache.add('a', 1);
    cache.add('b', 2);
    cache.add('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([false, true, true]);
  });
});

describe('webhooks from the reference server', () => {
  let crm: CustomcrmServer;
  let server: ReturnType<typeof createServer>;
  let callback: string;
  const received: Array<{ raw: string; headers: Record<string, string | undefined> }> = [];
  const waiters: Array<() => void> = [];

  beforeAll(async () => {
    crm = await startCustomcrmServer({ seed: 'demo', webhookRetry: { attempts: 2, baseDelayMs: 10 } });
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers: Record<string, string | undefined> = {};
        for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
        received.push({ raw: Buffer.concat(chunks).toString('utf8'), headers });
        res.writeHead(204).end();
        waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    callback = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/customcrm`;
  });
  afterAll(async () => {
    await crm.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('subscribes once, and a real delivery is accepted, a replay and a forgery are not', async () => {
    const config = customcrmConfigSchema.parse({
      url: crm.url + '/v1',
      token: 'crm-demo-token',
      webhookSecret: SECRET,
    });
    const conn = createCustomcrmConnector(config);
    await conn.subscribeWebhooks(callback);
    await conn.subscribeWebhooks(callback);
    expect(crm.store.listWebhooks().filter((w) => w.Url === callback)).toHaveLength(1);

    const arrived = new Promise<void>((r) => waiters.push(r));
    crm.store.update('customers', 'cus_000001', { Description: 'changed for a webhook' });
    await arrived;
    const first = received[0];
    if (!first) throw new Error('no delivery');

    const receiver = createWebhookReceiver({ secret: SECRET });
    const ok = receiver.handle(first.raw, first.headers);
    expect(ok).toMatchObject({ ok: true, change: { type: 'Customer', id: 'cus_000001', op: 'upsert' } });
    expect(ok.ok && ok.change.record?.props.Description).toBe('changed for a webhook');
    expect(receiver.handle(first.raw, first.headers)).toMatchObject({ code: 'REPLAYED' });
    const wrong = createWebhookReceiver({ secret: 'another-secret-value' });
    expect(wrong.handle(first.raw, first.headers)).toMatchObject({ code: 'BAD_SIGNATURE' });
    const later = createWebhookReceiver({ secret: SECRET, clock: new ManualClock(Date.now() + 600_000) });
    expect(later.handle(first.raw, first.headers)).toMatchObject({ code: 'STALE_TIMESTAMP' });
  });
});
