import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteRecord } from '../../core/types.ts';
import { startYouTrackEmulator } from '../../emulators/youtrack/index.ts';
import type { YouTrackEmulator } from '../../emulators/youtrack/index.ts';
import type { CallInfo } from '../../http/client.ts';
import { createYouTrackConnector, youtrackConfigSchema } from './index.ts';
import type { YouTrackConnector } from './index.ts';

const ref = { System: 'Customcrm', Type: 'Customer', Id: 'c-1' };
const createOpts = { idempotencyKey: 'k-1', externalRef: ref };

function connectTo(
  emu: YouTrackEmulator,
  extra: Record<string, unknown>,
  onCall: (c: CallInfo) => void,
): YouTrackConnector {
  const config = youtrackConfigSchema.parse({
    url: emu.url,
    token: 'perm:demo',
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
    ...extra,
  });
  return createYouTrackConnector(config, { onCall });
}

async function all(it: AsyncIterable<RemoteRecord>): Promise<RemoteRecord[]> {
  const out: RemoteRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

const byName = (recs: RemoteRecord[], name: string) => recs.find((r) => r.props['name'] === name);

describe.each(['hub', '2026'] as const)('YouTrack connector against the emulator (%s API)', (api) => {
  let emu: YouTrackEmulator;
  let yt: YouTrackConnector;
  const calls: string[] = [];
  const writes = () => calls.filter((c) => !c.startsWith('GET'));

  beforeAll(async () => {
    emu = await startYouTrackEmulator({ seed: 'demo', api });
    yt = connectTo(emu, { pageSize: 7 }, (c) => calls.push(`${c.method} ${c.path}`));
  });
  afterAll(() => emu.close());

  it('verify() detects the API mode', async () => {
    const info = await yt.verify();
    expect(info).toMatchObject({ system: 'youtrack', mode: api });
    expect(yt.mode).toBe(api);
    expect(info.fallbacks.some((f) => f.includes('no organization events'))).toBe(api === '2026');

    const other = api === 'hub' ? '2026' : 'hub';
    const pinned = await connectTo(emu, { apiMode: other }, () => undefined).verify();
    expect(pinned.mode).toBe(other);
    expect(pinned.fallbacks.join('\n')).toContain("set apiMode to 'auto'");
  });

  it('reads every user once, joined with Hub, guests left out', async () => {
    const users = await all(yt.readAll('User'));
    const dir = emu.directory;
    const expected = dir.users.all.filter((u) => !u.guest);
    expect(users.map((u) => u.id).sort()).toEqual(expected.map((u) => u.hubId).sort());
    for (const u of expected) {
      const rec = users.find((r) => r.id === u.hubId);
      expect(rec?.aliases?.youtrackId).toBe(u.ytId);
      const regular = [...u.groups].filter((g) => dir.groups.get(g)?.kind === 'plain').sort();
      expect(rec?.props).toEqual({
        login: u.login,
        fullName: u.name,
        email: u.email,
        banned: u.banned,
        organizations: [...u.organizations].sort(),
        groups: regular,
      });
    }
    const knut = users.find((u) => u.props['login'] === 'knut.johannessen');
    const nordlys = dir.organizationByName('Nordlys Shipping AS')?.hubId;
    expect(knut?.props['organizations']).toEqual([nordlys]);
    expect(knut?.props['groups']).toEqual([dir.groupByNameCi('Sales Nordics')?.hubId]);
    expect(users.find((u) => u.props['login'] === 'francois.dupre')?.props['banned']).toBe(true);
  });

  it('reads every group once with its kind, parent and YouTrack id', async () => {
    const groups = await all(yt.readAll('Group'));
    expect(groups).toHaveLength(emu.directory.groups.size);
    expect(new Set(groups.map((g) => g.id)).size).toBe(groups.length);
    const eng = byName(groups, 'Engineering');
    expect(byName(groups, 'Backend')?.props).toEqual({
      name: 'Backend',
      description: 'Services, APIs and storage',
      kind: 'regular',
      parent: eng?.id,
    });
    expect(eng?.aliases?.youtrackId).toMatch(/^3-\d+$/);
    expect(byName(groups, 'All Users')?.props['kind']).toBe('allUsers');
    expect(byName(groups, 'Registered Users')?.props['kind']).toBe('registeredUsers');
    expect(groups.filter((g) => g.props['kind'] === 'projectTeam')).toHaveLength(2);
  });

  it('reads the organizations', async () => {
    const orgs = await all(yt.readAll('Organization'));
    expect(orgs.map((o) => o.props['name']).sort()).toEqual([
      'Café Société SARL',
      'Nordlys Shipping AS',
      'Železná Labs s.r.o.',
    ]);
    const nordlys = emu.directory.organizationByName('Nordlys Shipping AS');
    expect(byName(orgs, 'Nordlys Shipping AS')?.id).toBe(nordlys?.hubId);
  });

  it('reads one record of each type, and null for an unknown id', async () => {
    const all3 = await Promise.all([
      all(yt.readAll('User')),
      all(yt.readAll('Group')),
      all(yt.readAll('Organization')),
    ]);
    for (const recs of all3) {
      const first = recs[0] as RemoteRecord;
      const one = await yt.read(first.type, first.id);
      expect(one?.props).toEqual(first.props);
      expect(one?.hash).toBe(first.hash);
    }
    expect(await yt.read('User', '00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(await yt.read('Group', 'nope')).toBeNull();
    expect(await yt.read('Organization', 'nope')).toBeNull();
  });

  it('creates, finds, updates and deletes a group', async () => {
    const name = `Partners ${api}`;
    expect(await yt.findCreated('Group', { name }, ref)).toBeNull();
    calls.length = 0;
    const g = await yt.create('Group', { name, description: 'External partners' }, createOpts);
    expect(writes()).toEqual([api === 'hub' ? 'POST /hub/api/rest/usergroups' : 'POST /api/groups']);
    expect(g.props).toEqual({ name, description: 'External partners', kind: 'regular', parent: null });
    expect(emu.directory.groups.get(g.id)?.name).toBe(name);
    expect((await yt.findCreated('Group', { name: name.toUpperCase() }, ref))?.id).toBe(g.id);

    const u = await yt.update(
      'Group',
      g.id,
      { description: 'Resellers', name },
      { ifMatch: g.version as string },
    );
    expect(u.props['description']).toBe('Resellers');
    await expect(
      yt.update('Group', g.id, { description: 'x' }, { ifMatch: g.version as string }),
    ).rejects.toMatchObject({
      code: 'STALE',
    });

    await expect(yt.create('Group', { name: 'engineering' }, createOpts)).rejects.toMatchObject({
      code: 'DUPLICATE',
    });

    await yt.delete('Group', g.id);
    expect(emu.directory.groups.get(g.id)).toBeUndefined();
    expect(await yt.read('Group', g.id)).toBeNull();
    await yt.delete('Group', g.id);
    await expect(yt.update('Group', g.id, { name: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('creates, finds, updates and deletes an organization', async () => {
    const name = `Großmann & Söhne ${api}`;
    calls.length = 0;
    const o = await yt.create('Organization', { name, description: 'München' }, createOpts);
    expect(writes()).toEqual([
      api === 'hub' ? 'POST /hub/api/rest/organizations' : 'POST /api/admin/organizations',
    ]);
    expect(o.props).toEqual({ name, description: 'München' });
    // One made on 2026.1 has no Hub twin: it is known by its YouTrack id.
    const stored = () =>
      api === 'hub' ? emu.directory.organizations.get(o.id) : emu.directory.organizations.getByYtId(o.id);
    expect(stored()?.name).toBe(name);
    expect((await yt.findCreated('Organization', { name }, ref))?.id).toBe(o.id);
    const u = await yt.update('Organization', o.id, { description: 'Munich' });
    expect(u.props['description']).toBe('Munich');
    expect(stored()?.description).toBe('Munich');
    await yt.delete('Organization', o.id);
    expect(stored()).toBeUndefined();
  });

  it('creates a user with memberships, updates partially, bans, and deletes', async () => {
    const dir = emu.directory;
    const support = dir.groupByNameCi('Support')?.hubId as string;
    const backend = dir.groupByNameCi('Backend')?.hubId as string;
    const cafe = dir.organizationByName('Café Société SARL')?.hubId as string;
    const login = `greta.${api}`;
    const u = await yt.create(
      'User',
      {
        login,
        fullName: 'Greta Großmann',
        email: 'greta@grossmann.example',
        groups: [support],
        // YouTrack 2026.1 organizations have no members to write.
        ...(api === 'hub' ? { organizations: [cafe] } : {}),
      },
      createOpts,
    );
    expect(u.props).toEqual({
      login,
      fullName: 'Greta Großmann',
      email: 'greta@grossmann.example',
      banned: false,
      organizations: api === 'hub' ? [cafe] : [],
      groups: [support],
    });
    expect((await yt.findCreated('User', { login }, ref))?.id).toBe(u.id);

    calls.length = 0;
    const v = await yt.update('User', u.id, { fullName: 'Greta G.', groups: [backend], banned: true });
    // Only what changed is written: the name and ban in one call, then one add and one remove.
    expect(writes()).toHaveLength(3);
    expect(writes()[0]).toMatch(
      api === 'hub' ? /^POST \/hub\/api\/rest\/users\/[0-9a-f-]+$/ : /^POST \/api\/users\/1-\d+$/,
    );
    expect(v.props).toMatchObject({ fullName: 'Greta G.', email: 'greta@grossmann.example', banned: true });
    expect(v.props['groups']).toEqual([backend]);
    expect(v.props['organizations']).toEqual(api === 'hub' ? [cafe] : []);
    expect(dir.users.get(u.id)?.banned).toBe(true);

    const w = await yt.update('User', u.id, { banned: false, email: null, organizations: [] });
    expect(w.props).toMatchObject({ banned: false, email: null, organizations: [] });

    if (api === 'hub') {
      await yt.addMember('Organization', cafe, u.id);
      expect(dir.users.get(u.id)?.organizations.has(cafe)).toBe(true);
    } else
      await expect(yt.addMember('Organization', cafe, u.id)).rejects.toMatchObject({
        code: 'INVALID_RECORD',
        info: { property: 'organizations' },
      });
    await yt.removeMember('Group', backend, u.id);
    expect(dir.users.get(u.id)?.groups.has(backend)).toBe(false);

    await yt.delete('User', u.id);
    expect(dir.users.get(u.id)).toBeUndefined();
    expect(await yt.findCreated('User', { login }, ref)).toBeNull();
  });

  it('reports changes since a watermark, with fresh records and deletes', async () => {
    const dir = emu.directory;
    const start = await yt.changesSince(undefined);
    expect(start).toMatchObject({ changes: [], complete: true });
    expect(start.watermark).toBe(String(dir.events.lastId));

    const zoe = dir.userByLogin('zoe.oconnor');
    const support = dir.groupByNameCi('Support');
    const contractors = dir.groupByNameCi('Contractors');
    if (!zoe || !support || !contractors) throw new Error('demo seed changed');
    dir.updateUser(zoe.hubId, { name: "Zoë O'Connor-Byrne" });
    dir.addMember(support.hubId, zoe.hubId);
    dir.updateGroup(support.hubId, { description: 'All support' });
    dir.deleteGroup(contractors.hubId);
    const nordlys = dir.organizationByName('Nordlys Shipping AS');
    if (!nordlys) throw new Error('demo seed changed');
    dir.updateOrganization(nordlys.hubId, { description: 'Ferries' });

    const batch = await yt.changesSince(start.watermark);
    expect(batch.complete).toBe(true);
    // On 2026.1 Hub's log leaves organization events out, so the last one it shows is earlier.
    const visible = dir.events.all.filter((e) => api === 'hub' || e.targetType !== 'organization');
    expect(batch.watermark).toBe(String(visible.at(-1)?.id));
    const keys = batch.changes.map((c) => `${c.type}:${c.id}:${c.op}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        `User:${zoe.hubId}:upsert`,
        `Group:${support.hubId}:upsert`,
        `Group:${contractors.hubId}:delete`,
        `Organization:${nordlys.hubId}:upsert`,
      ]),
    );
    expect(new Set(keys).size).toBe(keys.length);
    const zoeChange = batch.changes.find((c) => c.id === zoe.hubId);
    expect(zoeChange?.record?.props['fullName']).toBe("Zoë O'Connor-Byrne");
    expect(zoeChange?.record?.props['groups']).toContain(support.hubId);
    expect(zoeChange?.at).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect(batch.changes.find((c) => c.id === nordlys.hubId)?.record?.props['description']).toBe('Ferries');

    const again = await yt.changesSince(batch.watermark);
    expect(again).toEqual({ changes: [], watermark: batch.watermark, complete: true });

    dir.deleteOrganization(nordlys.hubId);
    const gone = await yt.changesSince(again.watermark);
    expect(gone.changes).toEqual([
      expect.objectContaining({ type: 'Organization', id: nordlys.hubId, op: 'delete' }),
    ]);
  });
});
