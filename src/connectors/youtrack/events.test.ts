import { describe, expect, it } from 'vitest';
import { interpretEvents, laterId, targetTypeOf } from './events.ts';

const U1 = '0b6c7a52-2f4e-4d53-9a8b-1c0e5e1d2a01';
const U2 = '0b6c7a52-2f4e-4d53-9a8b-1c0e5e1d2a02';
const G1 = '9e1f3c44-7a21-4b0f-8c3d-5a6b7c8d9e01';
const O1 = '4d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b01';

const primitive = (fieldName: string, oldValue?: string, newValue?: string) => ({
  type: 'primitiveChange',
  fieldName,
  ...(oldValue === undefined ? {} : { oldValue }),
  ...(newValue === undefined ? {} : { newValue }),
});

describe('interpretEvents (Hub Event/Change model)', () => {
  it('keeps one change per record, in order of its last event, with the ISO time', () => {
    const out = interpretEvents([
      { id: '1', targetId: U1, targetType: 'user', type: 'created', timestamp: 1000 },
      {
        id: '2',
        targetId: G1,
        targetType: 'userGroup',
        type: 'updated',
        timestamp: 2000,
        changes: [primitive('name', 'A', 'B')],
      },
      { id: '3', targetId: U1, targetType: 'user', type: 'updated', timestamp: 3000 },
    ]);
    expect(out.targets).toEqual([
      { type: 'Group', id: G1, deleted: false, at: new Date(2000).toISOString() },
      { type: 'User', id: U1, deleted: false, at: new Date(3000).toISOString() },
    ]);
    expect(out.fullRead.size).toBe(0);
  });

  it('marks deletes and lets a later event on the same record win', () => {
    const out = interpretEvents([
      { id: '1', targetId: O1, targetType: 'organization', type: 'updated', timestamp: 1, changes: [] },
      { id: '2', targetId: O1, targetType: 'organization', type: 'deleted', timestamp: 2, changes: [] },
    ]);
    expect(out.targets).toEqual([
      { type: 'Organization', id: O1, deleted: true, at: new Date(2).toISOString() },
    ]);
  });

  it('turns an AggregationChange of members on a group into changes of the users it names', () => {
    const out = interpretEvents([
      {
        id: '5',
        targetId: G1,
        targetType: 'userGroup',
        type: 'updated',
        timestamp: 10,
        changes: [
          {
            type: 'aggregationChange',
            fieldName: 'ownUsers',
            childChanges: [primitive('ownUsers', undefined, U1), primitive('ownUsers', U2)],
          },
        ],
      },
    ]);
    expect(out.targets.map((c) => `${c.type}:${c.id}:${c.member === true}`)).toEqual([
      `Group:${G1}:false`,
      `User:${U1}:true`,
      `User:${U2}:true`,
    ]);
    expect(out.fullRead.size).toBe(0);
  });

  it('reads a membership logged on the user as a change of that user', () => {
    const out = interpretEvents([
      {
        id: '6',
        targetId: U1,
        targetType: 'user',
        type: 'updated',
        changes: [
          {
            type: 'aggregationChange',
            fieldName: 'groups',
            childChanges: [primitive('groups', undefined, G1)],
          },
        ],
      },
    ]);
    expect(out.targets.map((c) => `${c.type}:${c.id}`)).toEqual([`User:${U1}`]);
    expect(out.fullRead.size).toBe(0);
  });

  it('still accepts the older {field, added, removed} form when it names ids', () => {
    const out = interpretEvents([
      {
        id: 7,
        targetId: G1,
        targetType: 'userGroup',
        type: 'membership',
        changes: [{ field: 'ownUsers', added: [{ id: U1, login: 'a' }], removed: [U2] }],
      },
    ]);
    expect(out.targets.map((c) => c.id)).toEqual([G1, U1, U2]);
  });

  it('asks for a full read of users when a group change may edit members but names none by id', () => {
    const out = interpretEvents([
      {
        id: '8',
        targetId: G1,
        targetType: 'userGroup',
        type: 'updated',
        changes: [{ type: 'membershipChangeJSON', fieldName: 'users', added: ['jane.doe'] }],
      },
    ]);
    expect([...out.fullRead]).toEqual(['User']);
    expect(out.unknown[0]).toContain('names none by id');
    expect(out.targets.map((c) => c.id)).toEqual([G1]);
  });

  it('asks for a full read of every type when an event names no target type, and of none for projects', () => {
    const out = interpretEvents([
      { id: '9', targetId: 'x', type: 'updated' },
      { id: '10', targetId: 'p-1', targetType: 'project', type: 'updated' },
      'not an event',
    ]);
    expect([...out.fullRead].sort()).toEqual(['Group', 'Organization', 'User']);
    expect(out.targets).toEqual([]);
  });

  it('asks for a full read of the type when an event on it has no target id', () => {
    const out = interpretEvents([{ id: '11', targetType: 'userGroup', type: 'updated' }]);
    expect([...out.fullRead]).toEqual(['Group']);
  });
});

describe('targetTypeOf', () => {
  it('accepts the spellings Hub may use', () => {
    expect(targetTypeOf('user')).toBe('User');
    expect(targetTypeOf('userGroup')).toBe('Group');
    expect(targetTypeOf('UserGroupJSON')).toBe('Group');
    expect(targetTypeOf('organization')).toBe('Organization');
    expect(targetTypeOf('project')).toBe('other');
    expect(targetTypeOf('somethingNew')).toBeUndefined();
    expect(targetTypeOf(undefined)).toBeUndefined();
  });
});

describe('laterId', () => {
  it('compares numeric ids as numbers', () => {
    expect(laterId('9', '10')).toBe('10');
    expect(laterId('10', '9')).toBe('10');
  });
});
