import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupRecord, hashProps, userRecord, ytOrgRecord } from './records.ts';

describe('hashProps', () => {
  it('ignores key order and the order of id lists', () => {
    const a = hashProps({ login: 'x', groups: ['b', 'a'], email: null });
    const b = hashProps({ email: null, groups: ['a', 'b'], login: 'x' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any value changes', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (x, y) => {
        fc.pre(x !== y);
        expect(hashProps({ name: x })).not.toBe(hashProps({ name: y }));
      }),
    );
  });

  it('tells null from an empty string and false from absent', () => {
    expect(hashProps({ email: null })).not.toBe(hashProps({ email: '' }));
    expect(hashProps({ banned: false })).not.toBe(hashProps({}));
  });
});

describe('userRecord', () => {
  const hub = {
    id: 'u-1',
    login: 'knut',
    name: 'Knut J',
    banned: false,
    profile: { email: { email: 'k@x.example' } },
    groups: [
      { id: 'g-2' },
      { id: 'all', allUsers: true },
      { id: 'reg' },
      { id: 'p1_team' },
      { id: 'g-1' },
      { id: 'p2', project: { id: '0-1' } },
    ],
    organizations: [{ id: 'o-2' }, { id: 'o-1' }],
    lastAccessTime: 123,
  };

  it('joins Hub and YouTrack, keeps only direct regular groups, sorted', () => {
    const rec = userRecord(
      hub,
      { id: '1-6', login: 'knut', ringId: 'u-1', online: true },
      new Map([['reg', 'RegisteredUsersGroup']]),
    );
    expect(rec).toMatchObject({
      system: 'youtrack',
      type: 'User',
      id: 'u-1',
      aliases: { youtrackId: '1-6' },
      props: {
        login: 'knut',
        fullName: 'Knut J',
        email: 'k@x.example',
        banned: false,
        organizations: ['o-1', 'o-2'],
        groups: ['g-1', 'g-2'],
      },
    });
    expect(rec?.version).toBe(rec?.hash);
  });

  it('hashes the same whatever volatile fields say', () => {
    const a = userRecord(hub, { id: '1-6', login: 'knut', ringId: 'u-1', online: true });
    const b = userRecord(
      { ...hub, lastAccessTime: 999 },
      { id: '1-6', login: 'knut', ringId: 'u-1', online: false },
    );
    expect(a?.hash).toBe(b?.hash);
  });

  it('falls back to YouTrack when Hub did not answer, and maps a missing e-mail to null', () => {
    const rec = userRecord(undefined, {
      id: '1-7',
      login: 'olga',
      fullName: 'Olga',
      ringId: 'u-7',
      email: '',
    });
    expect(rec?.props).toEqual({
      login: 'olga',
      fullName: 'Olga',
      email: null,
      banned: false,
      organizations: [],
      groups: [],
    });
  });

  it('returns null without a Hub id', () => {
    expect(userRecord(undefined, { id: '1-8', login: 'x' })).toBeNull();
  });
});

describe('groupRecord', () => {
  it('derives the kind from Hub flags or the YouTrack $type', () => {
    const g = (extra: object, $type?: string) =>
      groupRecord({ id: 'g', name: 'G', ...extra }, $type ? { id: '3-1', $type } : undefined).props['kind'];
    expect(g({})).toBe('regular');
    expect(g({ allUsers: true })).toBe('allUsers');
    expect(g({}, 'RegisteredUsersGroup')).toBe('registeredUsers');
    expect(g({ project: { id: '0-1' } })).toBe('projectTeam');
    expect(groupRecord({ id: 'x_team', name: 'T' }, undefined).props['kind']).toBe('projectTeam');
  });

  it('carries parent, description and the YouTrack id', () => {
    const rec = groupRecord({ id: 'g-2', name: 'Backend', parent: { id: 'g-1' } }, { id: '3-4' });
    expect(rec.props).toEqual({ name: 'Backend', description: '', kind: 'regular', parent: 'g-1' });
    expect(rec.aliases).toEqual({ youtrackId: '3-4' });
  });
});

describe('ytOrgRecord', () => {
  it('takes the id it is given (the Hub-era id when there is one) and keeps the YouTrack id as alias', () => {
    expect(ytOrgRecord({ id: '4-1', key: 'N', name: 'N' }, 'o-1')).toMatchObject({
      id: 'o-1',
      aliases: { youtrackId: '4-1' },
      props: { name: 'N', description: '' },
    });
    expect(ytOrgRecord({ id: '4-2', name: 'M' }, '4-2')).not.toHaveProperty('aliases');
  });
});
