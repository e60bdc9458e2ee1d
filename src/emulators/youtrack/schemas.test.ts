import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createYouTrackConnector, type YouTrackConnector } from '../../connectors/youtrack/index.ts';
import type { RemoteRecord } from '../../core/types.ts';
import { startYouTrackEmulator, type YouTrackEmulator } from './index.ts';

/**
 * Every response of the emulator that the connector uses, in both API modes, is checked against
 * schemas derived from the public documents (schemas/*.schema.json say which, and which
 * version). The connector runs its real reads, change polls and writes through a recording proxy;
 * each answer is matched to the schema of its route, and a route without a schema fails too.
 */

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`./schemas/${name}.schema.json`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(load('youtrack-rest'));
ajv.addSchema(load('hub-rest'));

interface Recorded {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/** Which schema an answer must match: by method and path, errors by status. */
function schemaFor(r: Recorded): string | null {
  if (r.body === undefined) return null;
  if (r.status >= 400) return 'youtrack-rest#/definitions/Error';
  const p = r.path;
  const rules: Array<[RegExp, string]> = [
    [/^GET \/api\/users\/me$/, 'youtrack-rest#/definitions/Me'],
    [/^GET \/api\/users$/, 'youtrack-rest#/definitions/UserList'],
    [/^(GET|POST) \/api\/users\/[^/]+$/, 'youtrack-rest#/definitions/User'],
    [/^POST \/api\/users$/, 'youtrack-rest#/definitions/User'],
    [/^GET \/api\/groups$/, 'youtrack-rest#/definitions/UserGroupList'],
    [/^(GET|POST) \/api\/groups(\/[^/]+)?$/, 'youtrack-rest#/definitions/UserGroup'],
    [/^POST \/api\/groups\/[^/]+\/ownUsers$/, 'youtrack-rest#/definitions/User'],
    [/^GET \/api\/admin\/organizations$/, 'youtrack-rest#/definitions/OrganizationList'],
    [/^(GET|POST) \/api\/admin\/organizations(\/[^/]+)?$/, 'youtrack-rest#/definitions/Organization'],
    [/^GET \/hub\/api\/rest\/(users|usergroups|organizations|events)$/, 'hub-rest#/definitions/Page'],
    [/^(GET|POST) \/hub\/api\/rest\/users(\/[^/]+)?$/, 'hub-rest#/definitions/User'],
    [/^(GET|POST) \/hub\/api\/rest\/usergroups(\/[^/]+)?$/, 'hub-rest#/definitions/UserGroup'],
    [/^POST \/hub\/api\/rest\/(usergroups|organizations)\/[^/]+\/users$/, 'hub-rest#/definitions/User'],
    [/^(GET|POST) \/hub\/api\/rest\/organizations(\/[^/]+)?$/, 'hub-rest#/definitions/Organization'],
  ];
  const key = `${r.method} ${p}`;
  const hit = rules.find(([re]) => re.test(key));
  return hit ? hit[1] : 'none';
}

function violations(r: Recorded): string[] {
  const ref = schemaFor(r);
  if (ref === null) return [];
  if (ref === 'none') return [`${r.method} ${r.path}: no schema for this route`];
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`schema ${ref} is missing`);
  if (validate(r.body)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${r.method} ${r.path} (${r.status}) ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** A loopback proxy that forwards to the emulator and keeps every answer. */
async function recordingProxy(target: string, log: Recorded[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const up = request(
        `${target}${req.url ?? '/'}`,
        { method: req.method, headers: req.headers },
        (ans) => {
          const out: Buffer[] = [];
          ans.on('data', (c: Buffer) => out.push(c));
          ans.on('end', () => {
            const text = Buffer.concat(out).toString('utf8');
            const url = new URL(req.url ?? '/', 'http://proxy');
            log.push({
              method: req.method ?? 'GET',
              path: url.pathname,
              status: ans.statusCode ?? 0,
              body: text ? (JSON.parse(text) as unknown) : undefined,
            });
            res.writeHead(ans.statusCode ?? 502, ans.headers);
            res.end(text);
          });
        },
      );
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const ref = { System: 'customcrm', Type: 'Customer', Id: 'c-1' };
const createOpts = { idempotencyKey: 'k', externalRef: ref };

describe.each(['hub', '2026'] as const)('emulator responses the connector uses, --api %s', (api) => {
  let emu: YouTrackEmulator;
  let proxy: Server;
  let yt: YouTrackConnector;
  const log: Recorded[] = [];

  beforeAll(async () => {
    emu = await startYouTrackEmulator({ seed: 'demo', api });
    proxy = await recordingProxy(emu.url, log);
    const { port } = proxy.address() as AddressInfo;
    yt = createYouTrackConnector({
      url: `http://127.0.0.1:${port}`,
      token: 'perm:demo',
      apiMode: 'auto',
      pageSize: 5,
      timeoutMs: 5_000,
      rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
      retry: { maxAttempts: 1 },
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await emu.close();
  });

  it('match the schemas derived from the public documents', async () => {
    await yt.verify();
    const records: RemoteRecord[] = [];
    for (const type of ['User', 'Group', 'Organization'] as const) {
      const got = await all(yt.readAll(type));
      expect(got.length).toBeGreaterThan(0);
      records.push(got[0] as RemoteRecord);
    }
    for (const r of records) expect(await yt.read(r.type, r.id)).not.toBeNull();
    expect(await yt.read('Group', '00000000-0000-4000-8000-000000000000')).toBeNull();

    const start = await yt.changesSince(undefined);
    const dir = emu.directory;
    const chen = dir.userByLogin('chen.wei')!;
    dir.updateUser(chen.hubId, { name: 'Chen W.' });
    dir.addMember(dir.groupByNameCi('Support')!.hubId, chen.hubId);
    dir.updateGroup(dir.groupByNameCi('Support')!.hubId, { description: 'Tier 1' });
    const batch = await yt.changesSince(start.watermark);
    expect(batch.complete).toBe(true);
    expect(batch.changes.length).toBeGreaterThan(1);

    const g = await yt.create('Group', { name: `Schema ${api}`, description: 'x' }, createOpts);
    await yt.update('Group', g.id, { description: 'y' });
    const u = await yt.create(
      'User',
      { login: `schema.${api}`, fullName: 'Schema Test', email: 's@example.com', groups: [g.id] },
      createOpts,
    );
    await yt.update('User', u.id, { fullName: 'Schema T', groups: [] });
    await yt.delete('User', u.id);
    await yt.delete('Group', g.id);
    const o = await yt.create('Organization', { name: `Schema Org ${api}`, description: 'x' }, createOpts);
    await yt.update('Organization', o.id, { description: 'z' });
    await yt.delete('Organization', o.id);

    expect(log.length).toBeGreaterThan(30);
    expect(log.flatMap(violations)).toEqual([]);
    // Both APIs were exercised in this mode, and the events feed among them.
    expect(log.some((r) => r.path === '/hub/api/rest/events')).toBe(true);
    expect(log.some((r) => r.path.startsWith('/api/') && r.status === 200)).toBe(true);
  });
});

describe('the schemas catch drift', () => {
  const check = (ref: string, body: unknown) => ajv.getSchema(ref)?.(body);

  it('rejects the event shape the emulator used to invent', () => {
    const old = {
      type: 'membership',
      id: 4,
      changes: [{ field: 'ownUsers', added: [{ id: 'u' }], removed: [] }],
    };
    expect(check('hub-rest#/definitions/Event', old)).toBe(false);
    const real = {
      type: 'updated',
      id: '4',
      changes: [
        {
          type: 'aggregationChange',
          fieldName: 'ownUsers',
          childChanges: [{ type: 'primitiveChange', newValue: 'u' }],
        },
      ],
    };
    expect(check('hub-rest#/definitions/Event', real)).toBe(true);
  });

  it('rejects a 2026.1 organization with a ringId, a User typed as Me-less and a Hub group flag no model declares', () => {
    expect(
      check('youtrack-rest#/definitions/Organization', { $type: 'Organization', id: '4-1', ringId: 'x' }),
    ).toBe(false);
    expect(check('youtrack-rest#/definitions/Me', { $type: 'User', id: '1-1' })).toBe(false);
    expect(
      check('hub-rest#/definitions/UserGroup', { type: 'userGroup', id: 'g', registeredUsers: true }),
    ).toBe(false);
  });
});
