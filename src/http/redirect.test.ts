import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from './client.ts';
import { HttpError } from './errors.ts';

/** Two loopback servers: one redirects to the other, which records what it received. */
describe('the HTTP client never follows a redirect (issue 15, finding 3)', () => {
  const received: Array<Record<string, string | string[] | undefined>> = [];
  const servers: ReturnType<typeof createServer>[] = [];
  let from = '';
  let to = '';

  beforeAll(async () => {
    const listen = async (handler: Parameters<typeof createServer>[1]) => {
      const s = createServer(handler);
      servers.push(s);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    };
    to = await listen((req, res) => {
      received.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":"the other host"}');
    });
    from = await listen((req, res) => {
      res.writeHead(req.url?.includes('perm') ? 301 : 302, {
        location: `${to}/elsewhere?key=secret-in-query`,
      });
      res.end();
    });
  });
  afterAll(() => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('answers a cross-origin redirect with an error naming the new location, sending nothing there', async () => {
    const client = new HttpClient({
      system: 'customcrm',
      baseUrl: from,
      auth: { kind: 'header', name: 'X-Api-Key', value: 'crm-key-Redirect-77' },
      retry: { maxAttempts: 1 },
    });
    const err = await client.get('/v1/customers').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    const message = (err as HttpError).message;
    expect(message).toContain('was redirected (HTTP 302)');
    expect(message).toContain(`${to}/elsewhere?key=[REDACTED]`);
    expect(message).not.toContain('secret-in-query');
    expect((err as HttpError).transient).toBe(false);
    expect(received).toEqual([]);
  });
});
