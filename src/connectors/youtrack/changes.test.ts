import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import { createYouTrackConnector, youtrackConfigSchema } from './index.ts';

/**
 * The events feed in shapes the emulator does not produce: a log that comes newest first, and a
 * page that is not an envelope. A loopback server plays Hub; `/api/admin/organizations` is 404,
 * so the connector takes the pre-2026.1 API.
 */

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function fakeHub(events: (after: number, skip: number, top: number) => unknown) {
  const served: string[] = [];
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    served.push(
      `${url.pathname}?${url.searchParams.get('query') ?? ''}&${url.searchParams.get('$skip') ?? ''}`,
    );
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/hub/api/rest/events') {
      const after = Number(/afterId: (\d+)/.exec(url.searchParams.get('query') ?? '')?.[1] ?? 0);
      return json(
        200,
        events(
          after,
          Number(url.searchParams.get('$skip') ?? 0),
          Number(url.searchParams.get('$top') ?? 100),
        ),
      );
    }
    const user = /^\/hub\/api\/rest\/users\/(.+)$/.exec(url.pathname);
    if (user)
      return json(200, { type: 'user', id: user[1], login: `login-${user[1]?.slice(-2)}`, name: 'N' });
    if (url.pathname === '/api/groups') return json(200, []);
    return json(404, { error: 'Not Found', error_description: 'no such thing here' });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const logs = new MemorySink();
  const yt = createYouTrackConnector(
    youtrackConfigSchema.parse({
      url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`,
      token: 'perm:x',
      apiMode: 'hub',
      pageSize: 3,
      retry: { maxAttempts: 1 },
      rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
    }),
    { logger: new JsonLogger(logs, 'debug') },
  );
  return { yt, served, logs };
}

describe('changesSince on feeds the emulator does not produce', () => {
  it('reads every page of a log that comes newest first, and keeps the newest id', async () => {
    // Events 4..12 after watermark 3, newest first.
    const all = Array.from({ length: 9 }, (_, i) => 12 - i).map((n) => ({
      id: String(n),
      targetId: uuid(n),
      targetType: 'user',
      type: 'updated',
      timestamp: 1_000 * n,
    }));
    const { yt, served } = await fakeHub((after, skip, top) => {
      const page = all.filter((e) => Number(e.id) > after).slice(skip, skip + top);
      return { skip, top, total: all.length, ...(page.length ? { events: page } : {}) };
    });
    const batch = await yt.changesSince('3');
    expect(batch.complete).toBe(true);
    expect(batch.watermark).toBe('12');
    expect(batch.changes.map((c) => c.id).sort()).toEqual(all.map((e) => e.targetId).sort());
    // Paged by $skip under one afterId (the watermark), never by ids taken from the pages.
    expect(served.filter((s) => s.startsWith('/hub/api/rest/events'))).toEqual([
      '/hub/api/rest/events?afterId: 3&0',
      '/hub/api/rest/events?afterId: 3&3',
      '/hub/api/rest/events?afterId: 3&6',
      '/hub/api/rest/events?afterId: 3&9',
    ]);
  });

  it('answers a page that is not an envelope with complete: false and a warning, not a failure', async () => {
    const { yt, logs } = await fakeHub(() => ['not', 'an', 'envelope']);
    const batch = await yt.changesSince('7');
    expect(batch).toEqual({ changes: [], watermark: '7', complete: false });
    expect(logs.records().filter((l) => l['level'] === 'warn')).toHaveLength(1);
  });
});
