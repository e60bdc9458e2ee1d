import { describe, expect, it } from 'vitest';
import { changeTargets, laterId, targetTypeOf } from './events.ts';

describe('changeTargets', () => {
  it('keeps one change per record, in order of its last event, with the ISO time', () => {
    const out = changeTargets([
      { id: '1', targetId: 'u-1', targetType: 'user', type: 'create', timestamp: 1000 },
      { id: '2', targetId: 'g-1', targetType: 'userGroup', type: 'update', timestamp: 2000 },
      { id: '3', targetId: 'u-1', targetType: 'user', type: 'update', timestamp: 3000 },
    ]);
    expect(out).toEqual([
      { type: 'Group', id: 'g-1', deleted: false, at: new Date(2000).toISOString() },
      { type: 'User', id: 'u-1', deleted: false, at: new Date(3000).toISOString() },
    ]);
  });

  it('marks deletes and lets a later event on the same record win', () => {
    const out = changeTargets([
      { id: '1', targetId: 'o-1', targetType: 'organization', type: 'update', timestamp: 1 },
      { id: '2', targetId: 'o-1', targetType: 'organization', type: 'delete', timestamp: 2 },
    ]);
    expect(out).toEqual([{ type: 'Organization', id: 'o-1', deleted: true, at: new Date(2).toISOString() }]);
  });

  it('turns a membership change into changes of the users it names', () => {
    const out = changeTargets([
      {
        id: '5',
        targetId: 'g-1',
        targetType: 'userGroup',
        type: 'membership',
        timestamp: 10,
        changes: [{ field: 'ownUsers', added: [{ id: 'u-1', login: 'a' }], removed: ['u-2'] }],
      },
    ]);
    expect(out.map((c) => `${c.type}:${c.id}`)).toEqual(['Group:g-1', 'User:u-1', 'User:u-2']);
  });

  it('ignores events on other targets and events without a target', () => {
    expect(
      changeTargets([
        { id: '1', targetId: 'p-1', targetType: 'project', type: 'update' },
        { id: '2', targetType: 'user', type: 'update' },
      ]),
    ).toEqual([]);
  });
});

describe('targetTypeOf', () => {
  it('accepts the spellings Hub uses', () => {
    expect(targetTypeOf('user')).toBe('User');
    expect(targetTypeOf('userGroup')).toBe('Group');
    expect(targetTypeOf('UserGroup')).toBe('Group');
    expect(targetTypeOf('organization')).toBe('Organization');
    expect(targetTypeOf('project')).toBeUndefined();
  });
});

describe('laterId', () => {
  it('compares numeric ids as numbers', () => {
    expect(laterId('9', '10')).toBe('10');
    expect(laterId('10', '9')).toBe('10');
  });
});
