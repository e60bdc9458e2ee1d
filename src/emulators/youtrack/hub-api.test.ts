import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../util/clock.ts';
import { startYouTrackEmulator, type YouTrackEmulator } from './index.ts';
import { asObject, call, type Json } from '../../../test/support/emulators/youtrack.ts';

const HUB = '/hub/api/rest';

describe('Hub REST', () => {
  let emu: YouTrackEmulator;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  beforeEach(async () => {
    emu = await startYouTrackEmulator({ seed: 'demo', clock });
  });
  afterEach(() => emu.close());

  it('wraps lists in an envelope, 100 by default, all with $top=-1', async () => {
    const dir = emu.directory;
    for (let i = 0; i < 120; i++) dir.createUser({ login: `bulk${i}` });
    const page = asObject(await call(emu, 'GET', `${HUB}/users?fields=id,login`));
    expect(page).toMatchObject({ skip: 0, top: 100, total: dir.users.size });
    expect(page.users).toHaveLength(100);
    const all = asObject(await call(emu, 'GET', `${HUB}/users?$top=-1&fields=login`));
    expect(all.users).toHaveLength(dir.users.size);
    const beyond = asObject(await call(emu, 'GET', `${HUB}/users?$skip=100000`));
    expect(beyond).toEqual({ skip: 100000, top: 100, total: dir.users.size });
  });

  it('leaves the collection key out of an empty result and lets fields select the envelope', async () => {
    expect((await call(emu, 'GET', `${HUB}/users?query=login:%20nobody`)).json).toEqual({ total: 0 });
    expect((await call(emu, 'GET', `${HUB}/usergroups?fields=total`)).json).toEqual({
      total: emu.directory.groups.size,
    });
    const sel = asObject(await call(emu, 'GET', `${HUB}/usergroups?fields=total,usergroups(name)&$top=1`));
    expect(sel).toEqual({
      total: emu.directory.groups.size,
      usergroups: [{ type: 'userGroup', name: 'All Users' }],
    });
  });

  it('follows slash paths and sends all immediate fields when none are selected', async () => {
    const q = encodeURIComponent('login: jiri.novak');
    const sel = asObject(await call(emu, 'GET', `${HUB}/users?query=${q}&fields=id,profile/email/email`));
    const jiri = emu.directory.userByLogin('jiri.novak');
    expect(sel.users).toEqual([
      {
        type: 'user',
        id: jiri?.hubId,
        profile: { email: { type: 'EmailJSON', email: 'jiri.novak@zelezna.example' } },
      },
    ]);
    const full = asObject(await call(emu, 'GET', `${HUB}/users/${jiri?.hubId}`));
    expect(full).toMatchObject({ type: 'user', login: 'jiri.novak', name: 'Jiří Novák', banned: false });
    expect(full.groups).toContainEqual({
      type: 'userGroup',
      id: emu.directory.groupByNameCi('Backend')?.hubId,
    });
    expect(full.organizations).toHaveLength(1);
  });

  it('filters with query: login, name, email, is: banned, group name', async () => {
    const logins = async (path: string, query: string) =>
      (asObject(
        await call(emu, 'GET', `${HUB}/${path}?query=${encodeURIComponent(query)}&fields=login,name`),
      )[path] ?? []) as Json[];
    expect((await logins('users', 'email: ERIK.lund@example.com')).map((u) => u.login)).toEqual([
      'erik.lund',
      'erik.lund.admin',
    ]);
    expect((await logins('users', "name: {Zoë O'Connor}")).map((u) => u.login)).toEqual(['zoe.oconnor']);
    expect((await logins('users', 'is: banned')).map((u) => u.login).sort()).toEqual([
      'francois.dupre',
      'pekka.virtanen',
    ]);
    expect((await logins('usergroups', 'name: backend')).map((g) => g.name)).toEqual(['Backend']);
    expect((await call(emu, 'GET', `${HUB}/users?query=${encodeURIComponent('color: red')}`)).status).toBe(
      400,
    );
  });

  it('creates, updates, deletes and changes memberships, each recorded in /events', async () => {
    const created = await call(emu, 'POST', `${HUB}/users?fields=id,login`, {
      login: 'new.hire',
      name: 'New Hire',
      profile: { email: { type: 'EmailJSON', email: 'new.hire@example.com', verified: false } },
      details: [
        {
          type: 'LoginuserdetailsJSON',
          login: 'new.hire',
          password: { type: 'PlainpasswordJSON', value: 'x' },
        },
      ],
    });
    const uid = asObject(created).id as string;
    expect(created.json).toEqual({ type: 'user', id: uid, login: 'new.hire' });
    clock.advance(1_000);
    const upd = await call(emu, 'POST', `${HUB}/users/${uid}`, { banned: true, banReason: 'test' });
    expect(upd).toMatchObject({ status: 200, text: '' });
    expect(emu.directory.users.get(uid)).toMatchObject({ banned: true, banReason: 'test', name: 'New Hire' });
    const gid = asObject(await call(emu, 'POST', `${HUB}/usergroups?fields=id`, { name: 'Night Shift' }))
      .id as string;
    await call(emu, 'POST', `${HUB}/usergroups/${gid}/users`, { id: uid });
    const org = emu.directory.organizationByName('Café Société SARL');
    await call(emu, 'POST', `${HUB}/organizations/${org?.hubId}/users`, { id: uid });
    await call(emu, 'DELETE', `${HUB}/organizations/${org?.hubId}/users/${uid}`);
    await call(emu, 'DELETE', `${HUB}/usergroups/${gid}/users/${uid}`);
    expect((await call(emu, 'DELETE', `${HUB}/usergroups/${gid}`)).status).toBe(400);
    await call(emu, 'DELETE', `${HUB}/usergroups/${gid}?successor=${emu.directory.allUsersGroup.hubId}`);
    await call(emu, 'DELETE', `${HUB}/users/${uid}?successor=${emu.directory.admin.hubId}`);

    const log = asObject(await call(emu, 'GET', `${HUB}/events?$top=-1`));
    const events = log.events as Json[];
    expect(events.map((e) => `${e.type}:${e.targetType}`)).toEqual([
      'created:user',
      'updated:user',
      'created:userGroup',
      'updated:userGroup',
      'updated:organization',
      'updated:organization',
      'updated:userGroup',
      'deleted:userGroup',
      'deleted:user',
    ]);
    expect(events.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(events[1]).toMatchObject({
      targetId: uid,
      targetPresentation: 'new.hire',
      author: emu.directory.admin.hubId,
      authorPresentation: 'admin',
      changes: [
        { type: 'primitiveChange', fieldName: 'banned', oldValue: 'false', newValue: 'true' },
        { type: 'primitiveChange', fieldName: 'banReason', newValue: 'test' },
      ],
      timestamp: Date.UTC(2026, 0, 1) + 1_000,
    });
    const after = asObject(await call(emu, 'GET', `${HUB}/events?query=${encodeURIComponent('afterId: 7')}`));
    expect((after.events as Json[]).map((e) => e.id)).toEqual(['8', '9']);
    const since = Date.UTC(2026, 0, 1);
    const timed = asObject(
      await call(
        emu,
        'GET',
        `${HUB}/events?query=${encodeURIComponent(`after: ${since} and entityType: user`)}`,
      ),
    );
    expect((timed.events as Json[]).map((e) => e.id)).toEqual(['2', '9']);
    const paged = asObject(await call(emu, 'GET', `${HUB}/events?$skip=2&$top=2&fields=total,events(id)`));
    expect(paged).toEqual({
      total: 9,
      events: [
        { type: 'created', id: '3' },
        { type: 'updated', id: '4' },
      ],
    });
  });

  it('keeps updates partial and group names unique', async () => {
    const support = emu.directory.groupByNameCi('Support');
    const r = await call(emu, 'POST', `${HUB}/usergroups/${support?.hubId}?fields=name,description`, {
      description: 'Tier 1 and 2',
    });
    expect(r.json).toEqual({ type: 'userGroup', name: 'Support', description: 'Tier 1 and 2' });
    expect(await call(emu, 'POST', `${HUB}/usergroups`, { name: 'SUPPORT' })).toMatchObject({
      status: 400,
      json: { error: 'must-be-unique' },
    });
    expect(await call(emu, 'POST', `${HUB}/users`, { login: 'Jiri.Novak' })).toMatchObject({
      status: 400,
      json: { error: 'must-be-unique' },
    });
    expect((await call(emu, 'DELETE', `${HUB}/users/no-such-id?successor=x`)).status).toBe(404);
  });

  it('lists roles and answers access(with: role) for holders, directly or through a group', async () => {
    const roles = asObject(await call(emu, 'GET', `${HUB}/roles?fields=roles(id,key,name)`));
    expect(roles.roles).toContainEqual({
      type: 'role',
      id: 'system-admin',
      key: 'system-admin',
      name: 'System Admin',
    });
    const admins = async () => {
      const q = encodeURIComponent('access(with: {System Admin})');
      const page = asObject(await call(emu, 'GET', `${HUB}/users?fields=users(login)&query=${q}`));
      return ((page.users ?? []) as Array<{ login: string }>).map((u) => u.login).sort();
    };
    expect(await admins()).toEqual(['admin']);
    const dir = emu.directory;
    const ops = dir.createGroup({ name: 'Ops' });
    dir.addMember(ops.hubId, dir.userByLogin('knut.johannessen')!.hubId);
    const granted = await call(emu, 'POST', `${HUB}/usergroups/${ops.hubId}/projectroles`, {
      role: { id: 'system-admin' },
      project: { id: '0' },
    });
    expect(granted.status).toBe(200);
    expect(await admins()).toEqual(['admin', 'knut.johannessen']);
    const inGlobal = encodeURIComponent('access(project: Global, with: {System Admin})');
    const page = asObject(await call(emu, 'GET', `${HUB}/users?fields=total&query=${inGlobal}`));
    expect(page.total).toBe(2);
  });

  it('answers 403 to role reads when the token may not read roles', async () => {
    const closed = await startYouTrackEmulator({ seed: 'demo', rolesReadable: false });
    try {
      expect((await call(closed, 'GET', `${HUB}/roles`)).status).toBe(403);
      const q = encodeURIComponent('access(with: {System Admin})');
      expect((await call(closed, 'GET', `${HUB}/users?query=${q}`)).status).toBe(403);
    } finally {
      await closed.close();
    }
  });

  it('rejects the YouTrack-only token and missing tokens', async () => {
    const yo = await call(emu, 'GET', `${HUB}/users`, undefined, 'perm:youtrack-only');
    expect(yo.status).toBe(403);
    expect(asObject(yo).error_description).toMatch(/Hub/);
    const none = await call(emu, 'GET', `${HUB}/users`, undefined, null);
    expect(none).toMatchObject({ status: 401, json: { error: 'Unauthorized' } });
  });
});

describe('Hub REST with a seat limit', () => {
  it('refuses a user past the licence with license_users_number_exceeded', async () => {
    const emu = await startYouTrackEmulator({ seed: 'empty', seatLimit: 2 });
    try {
      expect((await call(emu, 'POST', `${HUB}/users`, { login: 'second' })).status).toBe(200);
      const third = await call(emu, 'POST', `${HUB}/users`, { login: 'third' });
      expect(third).toMatchObject({ status: 403, json: { error: 'license_users_number_exceeded' } });
      expect(emu.directory.userByLogin('third')).toBeUndefined();
      expect((await call(emu, 'POST', `${HUB}/users`, { login: 'third', banned: true })).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});
