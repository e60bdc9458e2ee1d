import { describe, expect, it } from 'vitest';
import { defaultMapping, loadMapping, MappingError, type MappingRow } from './mapping.ts';
import { fixedRefs } from '../../test/support/core/world.ts';
import {
  customcrmValue,
  equalValues,
  splitName,
  toCustomcrmPatch,
  toYouTrackPatch,
  youtrackValue,
} from './values.ts';

const users = defaultMapping.flows.users;
const row = (name: string): MappingRow => {
  const r = users.rows.find((x) => x.name === name);
  if (!r) throw new Error(name);
  return r;
};

function issuesOf(input: unknown): string[] {
  try {
    loadMapping(input);
  } catch (err) {
    if (err instanceof MappingError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('loadMapping', () => {
  it('gives the dataflow defaults when nothing is configured', () => {
    expect(loadMapping(undefined)).toEqual(defaultMapping);
    expect(defaultMapping.flows.organizations.rows.map((r) => [r.youtrack, r.customcrm])).toEqual([
      ['name', 'Name'],
      ['description', 'Description'],
    ]);
    expect(users.rows.map((r) => r.transform)).toEqual(['splitName', 'copy', 'copy', 'negate', 'reference']);
    expect(row('login').direction).toBe('to-customcrm');
  });

  it('replaces the rows of a flow that is given and keeps the others', () => {
    const m = loadMapping({
      groups: { rows: [{ name: 'title', youtrack: 'name', customcrm: 'Title' }], matchBy: 'title' },
    });
    expect(m.flows.groups.rows).toEqual([
      {
        name: 'title',
        youtrack: 'name',
        customcrm: 'Title',
        transform: 'copy',
        direction: 'both',
        compare: 'exact',
      },
    ]);
    expect(m.flows.users).toEqual(users);
  });

  it('names the path of every mistake and what is allowed', () => {
    const rows = [...users.rows, { name: 'x', youtrack: 'y', customcrm: 'Z', transform: 'upper' }];
    expect(issuesOf({ users: { rows } })).toEqual([
      'mapping.users.rows[5].transform: must be one of copy, splitName, negate, reference',
    ]);
    expect(
      issuesOf({ users: { rows: [{ ...row('fullName'), customcrm: 'Name' }, row('email')] } })[0],
    ).toMatch(/^mapping\.users\.rows\[0\]\.customcrm: a splitName row needs two/);
    expect(issuesOf({ customers: {} })[0]).toMatch(/^mapping: /);
  });

  it('refuses two rows writing one property and an unknown matchBy row', () => {
    const issues = issuesOf({
      users: { rows: [row('email'), { ...row('login'), name: 'login2', customcrm: 'Email' }] },
    });
    expect(issues).toContain(
      "mapping.users.rows[1].customcrm: property 'Email' is mapped by two rows; they would overwrite each other on every cycle",
    );
    expect(issuesOf({ users: { rows: [row('login')] } })).toEqual([
      "mapping.users.matchBy: no row is named 'email'",
    ]);
  });

  it('checks the membership precedence of a reference row', () => {
    expect(
      issuesOf({ users: { rows: [row('email'), { ...row('company'), youtrack: 'teams' }] } })[0],
    ).toMatch(/^mapping\.users\.rows\[1\]\.youtrack: a reference row reads memberships/);
  });
});

describe('row values', () => {
  it('splits a full name into the first word and the rest, and joins it back with one space', () => {
    expect(splitName('  Anne  Marie   Smith ')).toEqual(['Anne', 'Marie Smith']);
    expect(splitName('Cher')).toEqual(['Cher', '']);
    expect(toCustomcrmPatch(row('fullName'), 'Jiří Novák')).toEqual({ FirstName: 'Jiří', LastName: 'Novák' });
    expect(customcrmValue(row('fullName'), { props: { FirstName: ' Mary Ann ', LastName: 'Smith' } })).toBe(
      'Mary Ann Smith',
    );
    expect(youtrackValue(row('fullName'), { props: { fullName: 'Knut  Johannessen ' } })).toBe(
      'Knut Johannessen',
    );
  });

  it('negates banned into Active both ways', () => {
    expect(toCustomcrmPatch(row('banned'), true)).toEqual({ Active: false });
    expect(customcrmValue(row('banned'), { props: { Active: false } })).toBe(true);
    expect(toYouTrackPatch(row('banned'), false, {})).toEqual({ banned: false });
  });

  it('compares e-mails trimmed and case-insensitive, and all empty values as equal', () => {
    expect(equalValues(row('email'), ' Ada@Example.COM', 'ada@example.com')).toBe(true);
    expect(equalValues(row('login'), 'Ada', 'ada')).toBe(false);
    expect(equalValues(row('email'), null, '')).toBe(true);
    expect(equalValues(row('company'), ['a', 'b'], ['b', 'a'])).toBe(true);
  });

  it('resolves the company by organization first, then group', () => {
    const refs = fixedRefs([
      { customerId: 'C-org', type: 'Organization', id: 'o2' },
      { customerId: 'C-grp', type: 'Group', id: 'g1' },
    ]);
    const company = row('company');
    expect(youtrackValue(company, { props: { organizations: ['o1', 'o2'], groups: ['g1'] } }, refs)).toBe(
      'C-org',
    );
    expect(youtrackValue(company, { props: { organizations: ['o1'], groups: ['g1'] } }, refs)).toBe('C-grp');
    expect(
      youtrackValue(
        { ...company, youtrack: 'groups|organizations' },
        { props: { organizations: ['o2'], groups: ['g1'] } },
        refs,
      ),
    ).toBe('C-grp');
    expect(youtrackValue(company, { props: { organizations: [], groups: [] } }, refs)).toBeNull();
  });

  it('moves the user from the old company container to the new one and keeps other memberships', () => {
    const refs = fixedRefs([
      { customerId: 'C1', type: 'Organization', id: 'o1' },
      { customerId: 'C2', type: 'Organization', id: 'o2' },
      { customerId: 'C3', type: 'Group', id: 'g3' },
    ]);
    const current = { organizations: ['o1', 'o9'], groups: ['g7'] };
    expect(toYouTrackPatch(row('company'), 'C2', current, refs)).toEqual({ organizations: ['o2', 'o9'] });
    expect(toYouTrackPatch(row('company'), 'C3', current, refs)).toEqual({
      organizations: ['o9'],
      groups: ['g3', 'g7'],
    });
    expect(toYouTrackPatch(row('company'), null, current, refs)).toEqual({ organizations: ['o9'] });
  });
});
