import { describe, expect, it } from 'vitest';
import { Directory } from './directory.ts';
import { findGroups, findUsers, orderBy, parseQuery, userSortKeys } from './query.ts';
import { seedDemo } from './seed.ts';

describe('Hub query', () => {
  it('splits alternatives and clauses outside braces and quotes', () => {
    expect(parseQuery('login: a or login: {b or c} and is: banned')).toEqual([
      [{ key: 'login', value: 'a' }],
      [
        { key: 'login', value: 'b or c' },
        { key: 'is', value: 'banned' },
      ],
    ]);
    expect(parseQuery('name: "Tom and Jerry"')).toEqual([[{ key: 'name', value: 'Tom and Jerry' }]]);
    expect(parseQuery('  ')).toEqual([]);
  });

  it('answers login alternatives from the index, in creation order', () => {
    const dir = new Directory();
    seedDemo(dir);
    const found = findUsers(
      dir,
      parseQuery('login: zoe.oconnor or login: KNUT.JOHANNESSEN or login: nobody'),
    );
    expect(found.map((u) => u.login)).toEqual(['knut.johannessen', 'zoe.oconnor']);
    const mixed = findUsers(dir, parseQuery('email: erik.lund@example.com and nameStartsWith: erik lund ('));
    expect(mixed.map((u) => u.login)).toEqual(['erik.lund.admin']);
    expect(findGroups(dir, parseQuery('parent: Engineering')).map((g) => g.name)).toEqual([
      'Backend',
      'Frontend',
    ]);
  });

  it('sorts only when orderBy is given', () => {
    const dir = new Directory();
    seedDemo(dir);
    const all = dir.users.all;
    expect(orderBy(all, null, userSortKeys)).toBe(all);
    const desc = orderBy(all, 'login:desc', userSortKeys).map((u) => u.login);
    expect(desc).toEqual([...all.map((u) => u.login)].sort().reverse());
    expect(() => orderBy(all, 'shoeSize', userSortKeys)).toThrow(/orderBy/);
  });
});
