import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../util/clock.ts';
import { Directory } from './directory.ts';
import { DirectoryError } from './model.ts';
import { transitiveGroups, transitiveUsers, userCount } from './memberships.ts';
import { seedDemo, seedGenerated } from './seed.ts';

function demo(seatLimit?: number): Directory {
  const dir = new Directory({ clock: new ManualClock(1_000), ...(seatLimit ? { seatLimit } : {}) });
  seedDemo(dir);
  return dir;
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as DirectoryError).code;
  }
  return 'no error';
};

describe('Directory', () => {
  it('seeds the demo directory without recording events', () => {
    const dir = demo();
    expect(dir.events.lastId).toBe(0);
    expect(dir.userByLogin('jiri.novak')?.name).toBe('Jiří Novák');
    expect(dir.userByLogin('tomas.cerny')?.email).toBeNull();
    expect(dir.usersByEmail('erik.lund@example.com').map((u) => u.login)).toEqual([
      'erik.lund',
      'erik.lund.admin',
    ]);
    expect(dir.groups.all.filter((g) => g.kind === 'team').every((g) => g.hubId.endsWith('_team'))).toBe(
      true,
    );
    const backend = dir.groupByNameCi('backend');
    expect(backend && dir.groups.get(backend.parentId ?? '')?.name).toBe('Engineering');
  });

  it('records one event per edit with the changed fields, ids increasing', () => {
    const dir = demo();
    const u = dir.createUser({ login: 'new.person', name: 'New Person', email: 'n@example.com' });
    dir.updateUser(u.hubId, { name: 'Renamed', banned: true });
    dir.updateUser(u.hubId, { name: 'Renamed' });
    const g = dir.createGroup({ name: 'Ops' });
    dir.addMember(g.hubId, u.hubId);
    dir.addMember(g.hubId, u.hubId);
    dir.deleteGroup(g.hubId);
    const events = dir.events.all;
    expect(events.map((e) => [e.id, e.type, e.targetType])).toEqual([
      ['1', 'created', 'user'],
      ['2', 'updated', 'user'],
      ['3', 'created', 'userGroup'],
      ['4', 'updated', 'userGroup'],
      ['5', 'deleted', 'userGroup'],
    ]);
    expect(events[1]?.changes).toEqual([
      {
        type: 'primitiveChange',
        fieldName: 'name',
        fieldType: 'string',
        oldValue: 'New Person',
        newValue: 'Renamed',
      },
      {
        type: 'primitiveChange',
        fieldName: 'banned',
        fieldType: 'boolean',
        oldValue: 'false',
        newValue: 'true',
      },
    ]);
    expect(events[3]?.changes).toEqual([
      {
        type: 'aggregationChange',
        fieldName: 'ownUsers',
        fieldType: 'user',
        childChanges: [
          { type: 'primitiveChange', fieldName: 'ownUsers', fieldType: 'user', newValue: u.hubId },
        ],
      },
    ]);
    expect(u.groups.size).toBe(0);
  });

  it('filters the log by id and by time', () => {
    const clock = new ManualClock(1_000);
    const dir = new Directory({ clock });
    dir.createGroup({ name: 'A' });
    clock.advance(10);
    dir.createGroup({ name: 'B' });
    dir.createGroup({ name: 'C' });
    expect(dir.events.since(1, -Infinity).map((e) => e.id)).toEqual(['2', '3']);
    expect(dir.events.since(0, 1_000).map((e) => e.id)).toEqual(['2', '3']);
    expect(dir.events.since(2, 1_000).map((e) => e.id)).toEqual(['3']);
  });

  it('keeps logins, group names and organization keys unique, case-insensitively', () => {
    const dir = demo();
    expect(code(() => dir.createUser({ login: 'JIRI.NOVAK' }))).toBe('must_be_unique');
    expect(code(() => dir.createGroup({ name: 'engineering' }))).toBe('must_be_unique');
    expect(code(() => dir.createOrganization({ name: 'Other', key: 'nord' }))).toBe('must_be_unique');
  });

  it('refuses new seats past the licence, counting neither banned users nor the guest', () => {
    const seated = demo().users.all.filter((u) => !u.banned && !u.guest).length;
    const dir = demo(seated);
    expect(code(() => dir.createUser({ login: 'one.more' }))).toBe('license_users_number_exceeded');
    dir.createUser({ login: 'banned.one', banned: true });
    const banned = dir.userByLogin('francois.dupre');
    expect(code(() => dir.updateUser(banned?.hubId ?? '', { banned: false }))).toBe(
      'license_users_number_exceeded',
    );
  });

  it('protects the built-in groups and refuses nesting cycles', () => {
    const dir = demo();
    expect(code(() => dir.updateGroup(dir.allUsersGroup.hubId, { name: 'Everyone' }))).toBe('immutable');
    expect(code(() => dir.addMember(dir.registeredUsersGroup.hubId, dir.admin.hubId))).toBe('immutable');
    const eng = dir.groupByNameCi('Engineering');
    const backend = dir.groupByNameCi('Backend');
    expect(code(() => dir.updateGroup(eng?.hubId ?? '', { parentId: backend?.hubId ?? '' }))).toBe('invalid');
  });

  it('derives transitive users and groups through nesting', () => {
    const dir = demo();
    const eng = dir.groupByNameCi('Engineering');
    const jiri = dir.userByLogin('tomas.cerny');
    if (!eng || !jiri) throw new Error('demo data changed');
    expect([...transitiveUsers(dir, eng)].map((u) => u.login)).toContain('tomas.cerny');
    expect(userCount(dir, dir.allUsersGroup)).toBe(dir.users.size);
    expect(transitiveGroups(dir, jiri).map((g) => g.name)).toEqual(
      expect.arrayContaining(['All Users', 'Registered Users', 'Backend', 'Engineering']),
    );
  });

  it('moves members to the successor and subgroups to the parent when a group is deleted', () => {
    const dir = demo();
    const eng = dir.groupByNameCi('Engineering');
    const backend = dir.groupByNameCi('Backend');
    const support = dir.groupByNameCi('Support');
    if (!eng || !backend || !support) throw new Error('demo data changed');
    const members = [...eng.ownUsers];
    dir.deleteGroup(eng.hubId, support.hubId);
    expect(backend.parentId).toBeNull();
    for (const id of members) expect(support.ownUsers.has(id)).toBe(true);
    expect(dir.groups.get(eng.hubId)).toBeUndefined();
  });
});

describe('generated directory', () => {
  const generate = (seed: number) => {
    const dir = new Directory({ randomSeed: seed });
    seedGenerated(dir, { users: 2_000, groups: 40, orgs: 12 }, seed);
    return dir;
  };

  it('is the same for the same seed and differs for another', () => {
    const a = generate(5).users.all.map((u) => [u.ytId, u.hubId, u.login, u.name, u.email]);
    const b = generate(5).users.all.map((u) => [u.ytId, u.hubId, u.login, u.name, u.email]);
    const c = generate(6).users.all.map((u) => [u.ytId, u.hubId, u.login, u.name, u.email]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('looks like a real directory', () => {
    const dir = generate(1);
    const people = dir.users.all.filter((u) => !u.guest && u !== dir.admin);
    const share = (pred: (u: (typeof people)[number]) => boolean) =>
      people.filter(pred).length / people.length;
    expect(people).toHaveLength(2_000);
    expect(share((u) => /[^ -~]/.test(u.name))).toBeGreaterThan(0.3);
    expect(share((u) => u.email === null)).toBeGreaterThan(0.02);
    expect(share((u) => u.email === null)).toBeLessThan(0.1);
    expect(share((u) => u.banned)).toBeGreaterThan(0.01);
    expect(share((u) => u.banned)).toBeLessThan(0.06);
    expect(share((u) => u.organizations.size === 1)).toBeGreaterThan(0.6);
    expect(share((u) => u.organizations.size === 1)).toBeLessThan(0.8);
    expect(people.every((u) => u.groups.size >= 1 && u.groups.size <= 3)).toBe(true);
    expect(dir.groups.all.some((g) => g.parentId !== null)).toBe(true);
    const emails = people.flatMap((u) => (u.email ? [u.email.toLowerCase()] : []));
    const unique = new Set(emails).size / emails.length;
    expect(unique).toBeGreaterThan(0.95);
    expect(unique).toBeLessThan(1);
  });
});
