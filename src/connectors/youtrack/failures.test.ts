import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteRecord } from '../../core/types.ts';
import type { CallInfo } from '../../http/client.ts';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import { startYouTrackEmulator } from '../../emulators/youtrack/index.ts';
import type { YouTrackEmulator } from '../../emulators/youtrack/index.ts';
import { ConnectorError } from '../types.ts';
import { createYouTrackConnector, youtrackConfigSchema } from './index.ts';
import type { ConnectorDeps } from './index.ts';

const createOpts = { idempotencyKey: 'k', externalRef: { System: 'Customcrm', Type: 'Customer', Id: 'c' } };

function connect(url: string, extra: Record<string, unknown> = {}, deps: ConnectorDeps = {}) {
  const config = youtrackConfigSchema.parse({
    url,
    token: 'perm:demo',
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
    ...extra,
  });
  return createYouTrackConnector(config, deps);
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}

async function all(it: AsyncIterable<RemoteRecord>): Promise<RemoteRecord[]> {
  const out: RemoteRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

/** A local server that is not YouTrack: answers every request with `status` and `body`. */
async function impostor(status: number, body: string, type: string) {
  const server = createServer((_req, res) => res.writeHead(status, { 'content-type': type }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * A proxy in front of the emulator whose Hub lists users at another offset (as a Hub that
 * orders users differently from YouTrack would), and hides one login from Hub queries.
 */
async function reorderingProxy(target: string, hiddenLogin: string) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    if (url.pathname === '/hub/api/rest/users') {
      const query = url.searchParams.get('query');
      if (query === null)
        url.searchParams.set('$skip', String(Number(url.searchParams.get('$skip') ?? 0) + 3));
      else
        url.searchParams.set(
          'query',
          query.replace(new RegExp(`login: ${hiddenLogin.replace('.', '\\.')}( or )?`), ''),
        );
    }
    fetch(url, { method: req.method ?? 'GET', headers: { authorization: req.headers.authorization ?? '' } })
      .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
      .catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('joining YouTrack and Hub users', () => {
  it('joins by ringId when Hub lists users in another order, with one Hub call per page when it agrees', async () => {
    const emu = await startYouTrackEmulator({ seed: 'demo', api: 'hub' });
    const proxy = await reorderingProxy(emu.url, 'chen.wei');
    try {
      const calls: CallInfo[] = [];
      const direct = await all(
        connect(emu.url, { pageSize: 5 }, { onCall: (c) => calls.push(c) }).readAll('User'),
      );
      const pages = Math.ceil(emu.directory.users.size / 5);
      expect(calls.filter((c) => c.path === '/hub/api/rest/users')).toHaveLength(pages);

      const proxied: CallInfo[] = [];
      const viaProxy = await all(
        connect(proxy.url, { pageSize: 5 }, { onCall: (c) => proxied.push(c) }).readAll('User'),
      );
      // Pages missed users, so login queries followed; the hidden login was then read by id.
      expect(proxied.filter((c) => c.path === '/hub/api/rest/users').length).toBeGreaterThan(pages);
      expect(proxied.filter((c) => c.path.startsWith('/hub/api/rest/users/'))).toHaveLength(1);
      expect(viaProxy.map((u) => [u.id, u.hash])).toEqual(direct.map((u) => [u.id, u.hash]));
      expect(viaProxy.find((u) => u.props['login'] === 'chen.wei')?.props['email']).toBe(
        'chen.wei@example.com',
      );
    } finally {
      await proxy.close();
      await emu.close();
    }
  });
});

describe('verify() and error mapping', () => {
  let emu: YouTrackEmulator;
  beforeAll(async () => {
    emu = await startYouTrackEmulator({ seed: 'demo', api: 'hub', seatLimit: 5 });
  });
  afterAll(() => emu.close());

  it('WRONG_TOKEN for a token YouTrack rejects, without the token in the message', async () => {
    const err = await failure(connect(emu.url, { token: 'perm:not-a-real-token' }).verify());
    expect(err.code).toBe('WRONG_TOKEN');
    expect(err.message).toContain('Account Security');
    expect(err.message).not.toContain('not-a-real-token');
  });

  it('NO_HUB_SCOPE for a token without Hub in its scope', async () => {
    const err = await failure(connect(emu.url, { token: 'perm:youtrack-only' }).verify());
    expect(err.code).toBe('NO_HUB_SCOPE');
    expect(err.message).toMatch(/Hub/);
  });

  it('WRONG_URL when nothing listens, for a 404 and for an HTML page', async () => {
    const closed = await impostor(200, '', 'text/plain');
    await closed.close();
    const refused = await failure(connect(closed.url).verify());
    expect(refused.code).toBe('WRONG_URL');
    expect(refused.message).toContain('https://NAME.youtrack.cloud');

    const html = await impostor(200, '<!doctype html><title>Login</title>', 'text/html');
    const notFound = await impostor(404, '<h1>Not found</h1>', 'text/html');
    try {
      expect((await failure(connect(html.url).verify())).code).toBe('WRONG_URL');
      expect((await failure(connect(notFound.url).verify())).code).toBe('WRONG_URL');
    } finally {
      await html.close();
      await notFound.close();
    }
  });

  it('SEAT_LIMIT when the licence has no free seat', async () => {
    const yt = connect(emu.url);
    const err = await failure(yt.create('User', { login: 'one.more', fullName: 'One More' }, createOpts));
    expect(err.code).toBe('SEAT_LIMIT');
    expect(err.message).toMatch(/licence/);
    expect(emu.directory.userByLogin('one.more')).toBeUndefined();
  });

  it('INVALID_RECORD for props of the wrong type, naming the property', async () => {
    const err = await failure(connect(emu.url).create('Group', { name: 42 }, createOpts));
    expect(err).toMatchObject({ code: 'INVALID_RECORD', info: { property: 'name' } });
  });

  it('an events feed Hub refuses asks for a full read', async () => {
    const yt = connect(emu.url, { token: 'perm:youtrack-only', apiMode: 'hub' });
    expect(await yt.changesSince('3')).toEqual({ changes: [], watermark: '3', complete: false });
  });
});

describe('under faults', () => {
  let emu: YouTrackEmulator;
  beforeAll(async () => {
    emu = await startYouTrackEmulator({ api: 'hub', users: 240, groups: 30, orgs: 12, randomSeed: 3 });
  });
  afterAll(() => emu.close());

  it('a read under 20 % 5xx and 10 % 429 still returns every record exactly once', async () => {
    const clean = await all(connect(emu.url, { pageSize: 25 }).readAll('User'));
    expect(clean.length).toBe(emu.directory.users.all.filter((u) => !u.guest).length);

    emu.faults.set('5xx=0.2,429=0.1,retry-after=0,seed=11');
    const calls: CallInfo[] = [];
    const yt = connect(
      emu.url,
      { pageSize: 25, retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 20 } },
      {
        onCall: (c) => calls.push(c),
      },
    );
    try {
      const users = await all(yt.readAll('User'));
      const groups = await all(yt.readAll('Group'));
      expect(users.map((u) => u.id)).toEqual(clean.map((u) => u.id));
      expect(users.map((u) => u.hash)).toEqual(clean.map((u) => u.hash));
      expect(groups).toHaveLength(emu.directory.groups.size);
      expect(calls.some((c) => c.status === 429)).toBe(true);
      expect(calls.some((c) => (c.status ?? 0) >= 500)).toBe(true);
    } finally {
      emu.faults.set('none');
    }
  });

  it.each(['truncate=1', 'drop=1', '5xx=1'])(
    'a create whose answer is lost (%s) never makes a second record',
    async (spec) => {
      const name = `Ambiguous ${spec}`;
      const sink = new MemorySink();
      const yt = connect(
        emu.url,
        {},
        {
          logger: new JsonLogger(sink, 'debug'),
          // The fault hits the first POST only; the lookup and any second attempt get through.
          onCall: (c) => {
            if (c.method === 'POST') emu.faults.set('none');
          },
        },
      );
      await yt.verify();
      emu.faults.set(spec);
      const g = await yt.create('Group', { name, description: 'd' }, createOpts);
      expect(g.props['name']).toBe(name);
      expect(emu.directory.groups.all.filter((x) => x.name === name)).toHaveLength(1);
      expect(emu.directory.groups.get(g.id)?.name).toBe(name);
      expect(sink.records().some((r) => String(r['msg']).startsWith('create outcome unknown'))).toBe(true);
      expect(sink.lines.join('')).not.toContain('perm:demo');
    },
  );
});

describe('without verify()', () => {
  it('maps a rejected token on the first read, where the API version is detected', async () => {
    const emu = await startYouTrackEmulator({ seed: 'demo', api: 'hub' });
    try {
      const err = await failure(all(connect(emu.url, { token: 'perm:wrong' }).readAll('Group')));
      expect(err.code).toBe('WRONG_TOKEN');
    } finally {
      await emu.close();
    }
  });
});
