import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, parseRetryAfter } from './client.ts';
import { HttpError } from './errors.ts';
import { AimdPace, TokenBucket } from './rate-limit.ts';
import { ManualClock } from '../util/clock.ts';
import { JsonLogger, MemorySink } from '../log/logger.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const servers: Array<{ close: () => void }> = [];

async function serve(handler: Handler): Promise<{ url: string; calls: () => number }> {
  let n = 0;
  const server = createServer((req, res) => handler(req, res, ++n));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => n };
}

afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const fast = { baseDelayMs: 1, maxDelayMs: 2 };

describe('HttpClient', () => {
  it('retries 5xx with backoff and returns the first success', async () => {
    const srv = await serve((_req, res, n) => {
      res.writeHead(n < 3 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n }));
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: fast });
    const res = await client.get<{ n: number }>('/x');
    expect(res.body.n).toBe(3);
    expect(srv.calls()).toBe(3);
  });

  it('honours Retry-After on 429 through the injected clock', async () => {
    const clock = new ManualClock(1_000_000);
    const srv = await serve((_req, res, n) => {
      if (n === 1) {
        res.writeHead(429, { 'retry-after': '7' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, clock, retry: fast });
    await client.get('/x');
    expect(clock.now()).toBeGreaterThanOrEqual(1_007_000);
  });

  it('gives up with a typed error after the last attempt', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(500);
      res.end('boom');
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: { ...fast, maxAttempts: 3 } });
    const err = await client.get('/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe('SERVER_ERROR');
    expect((err as HttpError).details.attempts).toBe(3);
    expect(srv.calls()).toBe(3);
  });

  it('does not retry a non-idempotent POST after a 5xx, but does after a 429', async () => {
    const srv = await serve((_req, res, n) => {
      res.writeHead(n === 1 ? 429 : 500, { 'retry-after': '0' });
      res.end();
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: fast });
    const err = (await client
      .request({ method: 'POST', path: '/x', body: {} })
      .catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('SERVER_ERROR');
    expect(srv.calls()).toBe(2);
  });

  it('does not retry 4xx other than 429 and maps statuses to codes', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(412, { 'content-type': 'application/json' });
      res.end('{"title":"stale"}');
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: fast });
    const err = (await client.get('/x').catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.details.body).toEqual({ title: 'stale' });
    expect(srv.calls()).toBe(1);
  });

  it('treats a truncated body as a transient network failure and retries', async () => {
    const srv = await serve((_req, res, n) => {
      const body = JSON.stringify({ ok: true, pad: 'x'.repeat(100) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      if (n === 1) {
        res.write(body.slice(0, 10));
        res.socket?.destroy();
        return;
      }
      res.end(body);
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: fast });
    const res = await client.get<{ ok: boolean }>('/x');
    expect(res.body.ok).toBe(true);
    expect(srv.calls()).toBe(2);
  });

  it('reports a 200 with a body that is not JSON as BAD_RESPONSE', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>oops</html>');
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: { ...fast, maxAttempts: 2 } });
    const err = (await client.get('/x').catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('times out a slow answer with code TIMEOUT', async () => {
    // undici's timers have a resolution of about a second: the answer comes well after that.
    const srv = await serve((_req, res) => {
      setTimeout(() => res.end('{}'), 4000).unref();
    });
    const client = new HttpClient({
      system: 'test',
      baseUrl: srv.url,
      timeoutMs: 50,
      retry: { ...fast, maxAttempts: 1 },
    });
    const err = (await client.get('/x').catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('TIMEOUT');
  });

  it('sends the bearer token but never logs it', async () => {
    const token = 'perm:super-secret-token-4711';
    let seen = '';
    const srv = await serve((req, res, n) => {
      seen = req.headers.authorization ?? '';
      res.writeHead(n === 1 ? 502 : 200, { 'content-type': 'application/json' });
      res.end(`{"echo":"${token}"}`);
    });
    const sink = new MemorySink();
    const logger = new JsonLogger(sink, 'debug');
    const client = new HttpClient({
      system: 'test',
      baseUrl: srv.url,
      auth: { kind: 'bearer', token },
      logger,
      retry: fast,
    });
    await client.get('/x', { token });
    expect(seen).toBe(`Bearer ${token}`);
    expect(sink.lines.length).toBeGreaterThan(1);
    for (const line of sink.lines) expect(line).not.toContain('super-secret-token-4711');
  });
});

describe('TokenBucket', () => {
  it('lets a burst through and then spaces requests by the rate', async () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3 }, clock);
    for (let i = 0; i < 3; i++) await bucket.acquire();
    expect(clock.now()).toBe(0);
    await bucket.acquire();
    await bucket.acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(200);
    expect(clock.now()).toBeLessThan(250);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 }, new ManualClock())).toThrow(/ratePerSecond/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

describe('HttpClient on a keep-alive pool', () => {
  it('reuses connections for sequential requests', async () => {
    const sockets = new Set<unknown>();
    const srv = await serve((req, res) => {
      sockets.add(req.socket);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: fast });
    for (let i = 0; i < 10; i++) await client.get('/x');
    expect(srv.calls()).toBe(10);
    // undici may open a second socket while the first is settling; never one per request.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('keeps the base URL path and the query', async () => {
    let seen = '';
    const srv = await serve((req, res) => {
      seen = req.url ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const client = new HttpClient({ system: 'test', baseUrl: `${srv.url}/api/v1/`, retry: fast });
    const res = await client.get('/contacts', { $top: 100, skip: undefined, q: 'a b' });
    expect(seen).toBe('/api/v1/contacts?%24top=100&q=a+b');
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  it('does not follow a redirect: the error names the new location', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(301, { location: '/moved/here' });
      res.end();
    });
    const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: fast });
    const err = (await client.get('/x').catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(301);
    expect(err.message).toContain(`${srv.url}/moved/here`);
    expect(srv.calls()).toBe(1);
  });

  it('retries a refused connection even for a POST (nothing was sent)', async () => {
    const srv = await serve((_req, res) => res.end());
    const url = srv.url;
    for (const s of servers.splice(0)) s.close();
    await new Promise((r) => setTimeout(r, 20));
    const client = new HttpClient({ system: 'test', baseUrl: url, retry: { ...fast, maxAttempts: 2 } });
    const err = (await client
      .request({ method: 'POST', path: '/x', body: {} })
      .catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe('NETWORK');
    expect(err.details.attempts).toBe(2);
  });
});

describe('AimdPace', () => {
  it('halves on 429 at most once a second, never below a twentieth of the ceiling', () => {
    const pace = new AimdPace(100);
    expect(pace.rate).toBe(100);
    expect(pace.observe({ status: 429, ms: 5 }, 0)).toBe(true);
    expect(pace.rate).toBe(50);
    expect(pace.observe({ status: 429, ms: 5 }, 500)).toBe(false);
    expect(pace.rate).toBe(50);
    for (let t = 1000; t < 20_000; t += 1000) pace.observe({ status: 429, ms: 5 }, t);
    expect(pace.rate).toBe(5);
  });

  it('adds back after good answers, up to the ceiling and no further', () => {
    const pace = new AimdPace(20);
    pace.observe({ status: 503, ms: 5, retryAfterMs: 2000 }, 0);
    expect(pace.rate).toBe(10);
    expect(pace.pausedUntil).toBe(2000);
    for (let i = 0; i < 10; i++) pace.observe({ status: 200, ms: 5 }, 3000 + i);
    expect(pace.rate).toBeGreaterThan(10);
    for (let i = 0; i < 10_000; i++) pace.observe({ status: 200, ms: 5 }, 4000 + i);
    expect(pace.rate).toBe(20);
  });

  it('cuts when latency rises far above the best seen, and on network failures', () => {
    const pace = new AimdPace(50);
    for (let i = 0; i < 50; i++) pace.observe({ status: 200, ms: 20 }, i);
    expect(pace.rate).toBe(50);
    let cut = false;
    for (let i = 0; i < 50 && !cut; i++) cut = pace.observe({ status: 200, ms: 2000 }, 5000 + i);
    expect(cut).toBe(true);
    expect(pace.rate).toBe(40);
    pace.observe({ failed: true, ms: 30_000 }, 10_000);
    expect(pace.rate).toBe(28);
  });

  it('makes a TokenBucket wait out a Retry-After for every caller', async () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 10 }, clock);
    await bucket.acquire();
    bucket.feedback({ status: 429, ms: 1, retryAfterMs: 5000 });
    await bucket.acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(5000);
    expect(bucket.pace?.rate).toBe(50);
  });

  it('keeps the configured rate when adaptive is false', async () => {
    const clock = new ManualClock(0);
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1, adaptive: false }, clock);
    bucket.feedback({ status: 429, ms: 1, retryAfterMs: 5000 });
    await bucket.acquire();
    await bucket.acquire();
    expect(clock.now()).toBe(100);
  });

  it('is told how each answer went by the HttpClient', async () => {
    const seen: Array<number | undefined> = [];
    const srv = await serve((_req, res, n) => {
      res.writeHead(n === 1 ? 429 : 200, { 'retry-after': '0', 'content-type': 'application/json' });
      res.end('{}');
    });
    const client = new HttpClient({
      system: 'test',
      baseUrl: srv.url,
      retry: fast,
      rateLimiter: { acquire: async () => undefined, feedback: (c) => seen.push(c.status) },
    });
    await client.get('/x');
    expect(seen).toEqual([429, 200]);
  });
});

describe('HttpClient and a shared signal', () => {
  it('lets many requests in flight share one caller signal without a listener warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const srv = await serve((_req, res) => setTimeout(() => res.end('{}'), 20));
      const client = new HttpClient({ system: 'test', baseUrl: srv.url, retry: fast });
      const ac = new AbortController();
      await Promise.all(Array.from({ length: 20 }, () => client.get('/x', undefined, { signal: ac.signal })));
      await new Promise((r) => setImmediate(r));
      expect(srv.calls()).toBe(20);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
