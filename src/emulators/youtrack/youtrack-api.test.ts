import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startYouTrackEmulator, type YouTrackEmulator } from './index.ts';
import { asList, asObject, call } from '../../../test/support/emulators/youtrack.ts';

describe('YouTrack REST, hub mode (before 2026.1)', () => {
  let emu: YouTrackEmulator;
  beforeAll(async () => {
    emu = await startYouTrackEmulator({ seed: 'demo' });
  });
  afterAll(() => emu.close());

  it('reproduces the reference sample shapes', async () => {
    const users = asList(await call(emu, 'GET', '/api/users?fields=id,login,ringId'));
    expect(Object.keys(users[0] ?? {})).toEqual(['$type', 'id', 'login', 'ringId']);
    const knut = users.find((u) => u.login === 'knut.johannessen');
    expect(knut).toMatchObject({ $type: 'User', id: expect.stringMatching(/^1-\d+$/) });
    expect(knut?.ringId).toBe(emu.directory.userByLogin('knut.johannessen')?.hubId);
    const groups = asList(await call(emu, 'GET', '/api/groups?fields=id,name,$type'));
    expect(groups.find((g) => g.name === 'Engineering')).toEqual({
      $type: 'UserGroup',
      id: expect.stringMatching(/^3-\d+$/),
      name: 'Engineering',
    });
    expect(new Set(groups.map((g) => g.$type))).toEqual(
      new Set(['AllUsersGroup', 'RegisteredUsersGroup', 'ProjectTeam', 'UserGroup', 'NestedGroup']),
    );
  });

  it('sends only id and $type without fields, and drops unknown names', async () => {
    const [first] = asList(await call(emu, 'GET', '/api/users?$top=1'));
    expect(first).toEqual({ $type: 'User', id: '1-1' });
    const me = asObject(await call(emu, 'GET', '/api/users/me?fields=login,noSuchField'));
    expect(me).toEqual({ $type: 'Me', login: 'admin' });
  });

  it('selects nested fields and reports nullable e-mail', async () => {
    const tomas = emu.directory.userByLogin('tomas.cerny');
    const u = asObject(await call(emu, 'GET', `/api/users/${tomas?.ytId}?fields=fullName,email,banned`));
    expect(u).toEqual({ $type: 'User', fullName: 'Tomáš Černý', email: null, banned: false });
    const backend = emu.directory.groupByNameCi('Backend');
    const g = asObject(
      await call(
        emu,
        'GET',
        `/api/groups/${backend?.ytId}?fields=name,parentGroup(name),ownUsers(login),usersCount`,
      ),
    );
    expect(g.parentGroup).toEqual({ $type: 'UserGroup', name: 'Engineering' });
    expect((g.ownUsers as Array<{ login: string }>).map((x) => x.login)).toContain('tomas.cerny');
    expect(g.usersCount).toBe(backend?.ownUsers.size);
  });

  it('pages with $top and $skip, 42 by default', async () => {
    const dir = emu.directory;
    for (let i = dir.users.size; i < 50; i++) dir.createUser({ login: `filler${i}` });
    expect(asList(await call(emu, 'GET', '/api/users'))).toHaveLength(42);
    expect(await call(emu, 'GET', '/api/users?$top=0').then((a) => a.json)).toEqual([]);
    const page = asList(await call(emu, 'GET', '/api/users?$skip=2&$top=3&fields=id'));
    expect(page.map((u) => u.id)).toEqual(['1-3', '1-4', '1-5']);
    const all = asList(await call(emu, 'GET', '/api/users?$top=-1'));
    expect(all).toHaveLength(dir.users.size);
  });

  it('answers errors as a live instance does', async () => {
    expect(await call(emu, 'GET', '/api/users?fields=a,b(c')).toMatchObject({
      status: 400,
      json: { error: 'bad_request', error_description: 'Query string has invalid syntax' },
    });
    expect((await call(emu, 'GET', '/api/users?$top=abc')).status).toBe(500);
    const uuid = emu.directory.admin.hubId;
    expect(await call(emu, 'GET', `/api/users/${uuid}`)).toMatchObject({
      status: 400,
      json: { error: 'bad_request', error_description: 'Invalid structure of entity id' },
    });
    expect(await call(emu, 'GET', '/api/groups/3-999')).toMatchObject({
      status: 404,
      json: { error: 'Not Found', error_description: 'Entity with id 3-999 not found' },
    });
  });

  it('requires a known token and sends no WWW-Authenticate', async () => {
    for (const token of [null, 'perm:wrong']) {
      const a = await call(emu, 'GET', '/api/users', undefined, token);
      expect(a.status).toBe(401);
      expect(a.json).toEqual({ error: 'Unauthorized', error_description: 'You are not logged in.' });
      expect(a.headers.get('www-authenticate')).toBeNull();
    }
    const yo = await call(emu, 'GET', '/api/users/me?fields=login', undefined, 'perm:youtrack-only');
    expect(yo.json).toEqual({ $type: 'Me', login: 'admin' });
  });

  it('is read-only and has no organizations endpoint', async () => {
    expect((await call(emu, 'POST', '/api/users', { login: 'x' })).status).toBe(405);
    expect((await call(emu, 'POST', '/api/groups/3-4', { name: 'x' })).status).toBe(405);
    expect((await call(emu, 'GET', '/api/admin/organizations')).status).toBe(404);
  });

  it('lists group members and subgroups', async () => {
    const eng = emu.directory.groupByNameCi('Engineering');
    const subs = asList(await call(emu, 'GET', `/api/groups/${eng?.ytId}/subGroups?fields=name`));
    expect(subs.map((g) => g.name).sort()).toEqual(['Backend', 'Frontend']);
    const own = asList(await call(emu, 'GET', `/api/groups/${eng?.ytId}/ownUsers?fields=login`));
    const all = asList(await call(emu, 'GET', `/api/groups/${eng?.ytId}/users?fields=login&$top=-1`));
    expect(all.length).toBeGreaterThan(own.length);
    expect(all.map((u) => u.login)).toContain('tomas.cerny');
  });
});

describe('YouTrack REST, 2026 mode', () => {
  let emu: YouTrackEmulator;
  beforeAll(async () => {
    emu = await startYouTrackEmulator({ seed: 'demo', api: '2026' });
  });
  afterAll(() => emu.close());

  it('creates, updates and deletes users, groups and memberships, recording events', async () => {
    const u = asObject(
      await call(emu, 'POST', '/api/users?fields=id,login,fullName,ringId', {
        login: 'nina.berg',
        fullName: 'Nina Berg',
        email: 'nina@example.com',
      }),
    );
    expect(u).toMatchObject({ $type: 'User', login: 'nina.berg', fullName: 'Nina Berg' });
    const upd = await call(emu, 'POST', `/api/users/${u.id}?fields=fullName,email`, {
      fullName: 'Nina Berg-Ås',
    });
    expect(upd.json).toEqual({ $type: 'User', fullName: 'Nina Berg-Ås', email: 'nina@example.com' });
    const g = asObject(await call(emu, 'POST', '/api/groups?fields=id,name', { name: 'Field Service' }));
    expect((await call(emu, 'POST', `/api/groups/${g.id}/ownUsers`, { id: u.id })).status).toBe(200);
    const own = asList(await call(emu, 'GET', `/api/groups/${g.id}/ownUsers?fields=login`));
    expect(own.map((x) => x.login)).toEqual(['nina.berg']);
    expect((await call(emu, 'DELETE', `/api/groups/${g.id}/ownUsers/${u.id}`)).status).toBe(200);
    expect((await call(emu, 'DELETE', `/api/groups/${g.id}`)).status).toBe(400);
    expect((await call(emu, 'DELETE', `/api/groups/${g.id}?successor=3-0`)).status).toBe(200);
    expect((await call(emu, 'GET', `/api/groups/${g.id}`)).status).toBe(404);
    const types = emu.directory.events.all.map((e) => `${e.type}:${e.targetType}`);
    expect(types).toEqual([
      'created:user',
      'updated:user',
      'created:userGroup',
      'updated:userGroup',
      'updated:userGroup',
      'deleted:userGroup',
    ]);
  });

  it('serves organizations under /api/admin as documented, and Hub keeps only the older ones', async () => {
    const orgs = asList(await call(emu, 'GET', '/api/admin/organizations?fields=id,key,name,ringId,iconUrl'));
    expect(orgs.map((o) => o.key)).toEqual(['NORD', 'ZEL', 'CAFE']);
    expect(orgs[0]?.id).toMatch(/^4-\d+$/);
    // 2026.1's Organization has no ringId; iconUrl can be null.
    expect(Object.keys(orgs[0] ?? {})).toEqual(['$type', 'id', 'key', 'name', 'iconUrl']);
    expect((await call(emu, 'GET', `/api/admin/organizations/${orgs[0]?.id}/users`)).status).toBe(404);
    const created = asObject(
      await call(emu, 'POST', '/api/admin/organizations?fields=id,name,key', {
        name: 'Fjord AS',
        key: 'FJORD',
      }),
    );
    expect(created).toMatchObject({ $type: 'Organization', name: 'Fjord AS', key: 'FJORD' });
    const hub = asObject(await call(emu, 'GET', '/hub/api/rest/organizations?fields=organizations(key)'));
    expect(hub.organizations).toEqual([
      { type: 'organization', key: 'NORD' },
      { type: 'organization', key: 'ZEL' },
      { type: 'organization', key: 'CAFE' },
    ]);
    const fjord = emu.directory.organizationByName('Fjord AS');
    expect((await call(emu, 'GET', `/hub/api/rest/organizations/${fjord?.hubId}`)).status).toBe(404);
    expect((await call(emu, 'POST', '/hub/api/rest/organizations', { name: 'X' })).status).toBe(403);
  });

  it('refuses a duplicate group name with must-be-unique', async () => {
    expect(await call(emu, 'POST', '/api/groups', { name: 'Support' })).toMatchObject({
      status: 400,
      json: { error: 'must-be-unique' },
    });
  });
});
