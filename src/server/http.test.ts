import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWebhookReceiver, signWebhook } from '../connectors/customcrm/webhook.ts';
import { Metrics } from '../engine/metrics.ts';
import { JsonLogger, MemorySink } from '../log/logger.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../store/index.ts';
import type { StateStore } from '../store/types.ts';
import { ListenError, startHttpServer, type Route, type RunningServer } from './http.ts';
import { serviceRoutes } from './routes.ts';

const TOKEN = 'edge-test-token-0123456789';
const SECRET = 'edge-webhook-secret-0123456789';

/** Sends raw bytes and returns what came back before the server closed or `ms` passed. */
function raw(port: number, bytes: string | Buffer, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tandem-edge-'));
let store: StateStore;
beforeAll(async () => {
  store = await openStore(`sqlite:${join(dir, 'state.db')}`);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function webhookServer(extra: { token?: string; maxFailedLogins?: number } = {}): Promise<RunningServer> {
  return startHttpServer({
    host: '127.0.0.1',
    port: 0,
    ...extra,
    routes: serviceRoutes({
      store,
      metrics: new Metrics(),
      runner: { trigger: () => undefined, schedule: () => [] },
      logger: new JsonLogger(new MemorySink(), 'error'),
      receivers: new Map([['main', createWebhookReceiver({ secret: SECRET })]]),
    }),
    logger: new JsonLogger(new MemorySink(), 'error'),
  });
}

function signedDelivery(id: string) {
  const body = JSON.stringify({ Id: id, Type: 'contact.updated', Data: { Id: 'C-1', Email: 'a@b.c' } });
  const ts = String(Math.floor(Date.now() / 1000));
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'customcrm-webhook-timestamp': ts,
      'customcrm-webhook-signature': signWebhook(SECRET, ts, body),
    },
  };
}

describe('the webhook replay cache lives in the store (finding 7)', () => {
  it('refuses a replay after a restart', async () => {
    const first = await webhookServer();
    const delivery = signedDelivery('evt-restart-1');
    try {
      expect((await fetch(`${first.url}/webhooks/customcrm/main`, delivery)).status).toBe(204);
    } finally {
      await first.close();
    }
    const second = await webhookServer();
    try {
      const replay = await fetch(`${second.url}/webhooks/customcrm/main`, delivery);
      expect(replay.status).toBe(400);
      expect(await replay.text()).toContain('already received');
    } finally {
      await second.close();
    }
  });
});

describe('the HTTP edge under hostile input', () => {
  let server: RunningServer;
  let url: string;
  const log = new MemorySink();
  const triggered: string[] = [];
  const routes: Route[] = [
    ...serviceRoutes({
      get store() {
        return store;
      },
      metrics: new Metrics(),
      runner: { trigger: (c: string) => void triggered.push(c), schedule: () => [] },
      logger: new JsonLogger(log, 'error'),
      receivers: new Map([['main', createWebhookReceiver({ secret: SECRET })]]),
    }),
    {
      method: 'GET',
      path: /^\/echo\/([^/]+)$/,
      auth: 'token',
      handle: (_req, res, { params, url: u }) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${params[0]} ${u.searchParams.get('page') ?? ''}`);
      },
    },
    {
      method: 'GET',
      path: '/boom',
      auth: 'none',
      handle: () => {
        throw new Error('a bug in a page');
      },
    },
    {
      method: 'POST',
      path: '/form',
      auth: 'token',
      handle: async (_req, res, ctx) => {
        const body = await ctx.body();
        res.writeHead(200).end(String(body.length));
      },
    },
  ];

  beforeAll(async () => {
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      routes,
      logger: new JsonLogger(log, 'error'),
      maxFailedLogins: 5,
    });
    url = server.url;
  });
  afterAll(() => server?.close());

  const alive = async () => expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const auth = { authorization: `Bearer ${TOKEN}` };

  it('answers a double slash and other odd targets instead of ending the process (finding 1)', async () => {
    expect(await raw(server.port, 'GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1.1 40[04]/,
    );
    expect(
      await raw(server.port, 'GET //evil.example/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ).toMatch(/^HTTP\/1.1 (400|404)/);
    expect(
      await raw(server.port, 'GET /echo/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ).toMatch(/^HTTP\/1.1 (400|401|404)/);
    expect(await raw(server.port, 'GET / HTTP/1.1\r\nBad Header\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    expect(await raw(server.port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    await alive();
  });

  it('turns a handler error into a 500 and keeps serving', async () => {
    expect((await fetch(`${url}/boom`)).status).toBe(500);
    expect(log.lines.join('')).toContain('a bug in a page');
    await alive();
  });

  it('refuses an unsigned webhook on its headers, before reading the body (finding 2)', async () => {
    // Declares 200 MB and sends none of it: the answer comes anyway, from the headers alone.
    const answer = await raw(
      server.port,
      'POST /webhooks/customcrm/main HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200000000\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1.1 401/);
    expect(answer.toLowerCase()).toContain('connection: close');
    const unknown = await fetch(`${url}/webhooks/customcrm/nope`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('answers 413 and closes on a signed body over the limit, declared or streamed', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = `Host: x\r\nCustomcrm-Webhook-Timestamp: ${ts}\r\nCustomcrm-Webhook-Signature: v1=00\r\n`;
    const declared = await raw(
      server.port,
      `POST /webhooks/customcrm/main HTTP/1.1\r\n${headers}Content-Length: 200000000\r\n\r\n`,
    );
    expect(declared).toMatch(/^HTTP\/1.1 413/);
    const chunk = 'x'.repeat(64 * 1024);
    const chunked = Array.from({ length: 40 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const streamed = await raw(
      server.port,
      `POST /webhooks/customcrm/main HTTP/1.1\r\n${headers}Transfer-Encoding: chunked\r\n\r\n${chunked}0\r\n\r\n`,
    );
    expect(streamed).toMatch(/^HTTP\/1.1 413/);
    await alive();
  });

  it('accepts a correctly signed webhook', async () => {
    const res = await fetch(`${url}/webhooks/customcrm/main`, signedDelivery('evt-1'));
    expect(res.status).toBe(204);
    expect(triggered).toContain('main');
  });

  it('answers 4xx to a malformed cookie, a huge page number and a NUL in the query (finding 8)', async () => {
    expect((await fetch(`${url}/echo/a`, { headers: { cookie: 'tandem_token=%E0%A4%A' } })).status).toBe(401);
    expect((await fetch(`${url}/echo/a?page=99999999999999999999`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${url}/echo/a?q=%00`, { headers: auth })).status).toBe(400);
    const ok = await fetch(`${url}/echo/a?page=3`, { headers: auth });
    expect(await ok.text()).toBe('a 3');
  });

  it('never takes the token from the URL; a one-time login link sets the cookie once (finding 4)', async () => {
    expect((await fetch(`${url}/echo/a?token=${TOKEN}`, { redirect: 'manual' })).status).toBe(401);
    const link = server.loginLink();
    expect(link).not.toContain(TOKEN);
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).not.toContain('Secure');
    expect((await fetch(`${url}/echo/a`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);
  });

  it('accepts a body-limited form and answers 413 past its limit', async () => {
    const ok = await fetch(`${url}/form`, { method: 'POST', headers: auth, body: 'a=1' });
    expect(await ok.text()).toBe('3');
    const big = await fetch(`${url}/form`, { method: 'POST', headers: auth, body: 'a'.repeat(100_000) });
    expect(big.status).toBe(413);
  });

  it('throttles wrong tokens: after a few, even guesses get 429 (finding 4)', async () => {
    // Last in this file: it blocks 127.0.0.1 for a minute.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await fetch(`${url}/echo/a`, { headers: { authorization: `Bearer guess-${i}` } })).status,
      );
    // The used login link above counted as one failure already.
    expect(statuses[0]).toBe(401);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.slice(-3)).toEqual([429, 429, 429]);
    expect((await fetch(`${url}/echo/a`, { headers: auth })).status).toBe(429);
    await alive();
  });
});

describe('the edge, fuzzed', () => {
  it('still answers after random request lines, headers and bodies', async () => {
    const server = await webhookServer({ token: TOKEN, maxFailedLogins: 1_000_000 });
    try {
      const token = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom(
          '/',
          '//',
          '/webhooks/customcrm/main',
          '/metrics',
          '/login/x',
          '/%',
          '/%zz',
          '/?q=%00',
          '*',
        ),
      );
      const method = fc.oneof(
        fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'OPTIONS', 'CONNECT', 'TRACE'),
        fc.string(),
      );
      const header = fc.tuple(
        fc.oneof(
          fc.constantFrom(
            'Content-Length',
            'Transfer-Encoding',
            'Cookie',
            'Authorization',
            'Customcrm-Webhook-Timestamp',
            'Customcrm-Webhook-Signature',
            'Host',
            'Content-Type',
          ),
          fc.string({ maxLength: 20 }),
        ),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.constantFrom('-1', '99999999999', 'chunked', 'v1='),
        ),
      );
      const request = fc.record({
        method,
        target: token,
        version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9', ''),
        headers: fc.array(header, { maxLength: 6 }),
        body: fc.string({ unit: 'binary', maxLength: 300 }),
      });
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const head = `${r.method} ${r.target} ${r.version}\r\n${r.headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
          await raw(
            server.port,
            Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from(r.body, 'utf8')]),
            300,
          );
          const res = await fetch(`${server.url}/healthz`);
          return res.status === 200;
        }),
        { numRuns: 400, seed: 15 },
      );
    } finally {
      await server.close();
    }
  });
});

describe('listening', () => {
  it('names a port in use in one line (finding 10)', async () => {
    const first = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [],
      logger: new JsonLogger(new MemorySink()),
    });
    try {
      const second = startHttpServer({
        host: '127.0.0.1',
        port: first.port,
        routes: [],
        logger: new JsonLogger(new MemorySink()),
      });
      await expect(second).rejects.toBeInstanceOf(ListenError);
      await expect(second).rejects.toThrow(`port ${first.port} on 127.0.0.1 is in use`);
    } finally {
      await first.close();
    }
  });

  it('marks the cookie Secure when the public address is https', async () => {
    const s = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      publicUrl: 'https://tandem.example.com',
      routes: [],
      logger: new JsonLogger(new MemorySink()),
    });
    try {
      const link = s.loginLink();
      expect(link.startsWith('https://tandem.example.com/login/')).toBe(true);
      const res = await fetch(link.replace('https://tandem.example.com', s.url), { redirect: 'manual' });
      expect(res.headers.get('set-cookie')).toContain('Secure');
    } finally {
      await s.close();
    }
  });
});
