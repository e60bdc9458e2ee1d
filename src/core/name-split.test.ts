import { describe, expect, it } from 'vitest';
import { defaultMapping, loadMapping, MappingError, withNameSplit, type MappingRowInput } from './mapping.ts';
import { contact, World, ytUser } from '../../test/support/core/world.ts';
import { splitName, toCustomcrmPatch } from './values.ts';

/** How a Hub full name splits into FirstName/LastName is configurable (issue 11). */

const fullNameRow = defaultMapping.flows.users.rows.find((r) => r.name === 'fullName')!;
const lastWord = { ...fullNameRow, split: 'last-word' as const };

describe('name split', () => {
  it('splits at the first word by default and at the last word when asked', () => {
    expect(splitName('Ingrid Marie Solberg')).toEqual(['Ingrid', 'Marie Solberg']);
    expect(splitName(' Ingrid  Marie Solberg ', 'last-word')).toEqual(['Ingrid Marie', 'Solberg']);
    expect(splitName('Cher', 'last-word')).toEqual(['Cher', '']);
    expect(toCustomcrmPatch(lastWord, 'Ingrid Marie Solberg')).toEqual({
      FirstName: 'Ingrid Marie',
      LastName: 'Solberg',
    });
  });

  it('is a row option of splitName rows only, with a message that says what to write', () => {
    const rows = defaultMapping.flows.users.rows.map((r) =>
      r.name === 'fullName' ? ({ ...r, split: 'last-word' } as MappingRowInput) : (r as MappingRowInput),
    );
    expect(loadMapping({ users: { rows } }).flows.users.rows[0]?.split).toBe('last-word');
    const bad = (row: MappingRowInput) => {
      try {
        loadMapping({ users: { rows: [row, ...rows.slice(1)] } });
        return '';
      } catch (err) {
        return (err as MappingError).issues.map((i) => `${i.path}: ${i.message}`).join('\n');
      }
    };
    expect(bad({ ...(rows[0] as MappingRowInput), split: 'middle' as 'last-word' })).toContain(
      'mapping.users.rows[0].split: must be first-word or last-word',
    );
    expect(bad({ ...(rows[1] as MappingRowInput), split: 'last-word' })).toContain(
      'split applies to splitName rows only',
    );
  });

  it('sync.nameSplit sets the split of rows that do not set their own', () => {
    const m = withNameSplit(defaultMapping, 'last-word');
    expect(m.flows.users.rows.find((r) => r.name === 'fullName')?.split).toBe('last-word');
    expect(m.flows.users.rows.find((r) => r.name === 'email')?.split).toBeUndefined();
    const own = loadMapping({
      users: {
        rows: defaultMapping.flows.users.rows.map((r) =>
          r.name === 'fullName' ? ({ ...r, split: 'first-word' } as MappingRowInput) : (r as MappingRowInput),
        ),
      },
    });
    expect(withNameSplit(own, 'last-word').flows.users.rows[0]?.split).toBe('first-word');
  });

  it.each(['first-word', 'last-word'] as const)(
    'never rewrites a pair whose parts already join to the full name (%s)',
    (split) => {
      const w = new World('users');
      const rows = w.input().flow.rows.map((r) => (r.name === 'fullName' ? { ...r, split } : r));
      // Split the other way from the option: the pair still joins to the YouTrack name.
      const [first, last] =
        split === 'first-word' ? ['Ingrid Marie', 'Solberg'] : ['Ingrid', 'Marie Solberg'];
      w.add(ytUser('u1', { fullName: 'Ingrid Marie Solberg', email: 'c1@example.com' }));
      w.add(
        contact('c1', {
          FirstName: first,
          LastName: last,
          Email: 'c1@example.com',
          Username: 'u1',
          Active: true,
        }),
      );
      w.links = [
        {
          id: 1,
          ytId: 'u1',
          crmId: 'c1',
          status: 'active',
          base: { fullName: 'Ingrid Solberg' },
          origin: 'merged',
        },
      ];
      const plan = w.plan({ flow: { ...w.input().flow, rows } });
      const written = plan.actions.flatMap((a) => (a.kind === 'update' ? Object.keys(a.patch) : []));
      expect(written).not.toContain('FirstName');
      expect(written).not.toContain('LastName');
      expect(plan.actions.some((a) => a.kind === 'update' && a.target === 'customcrm')).toBe(false);

      // A real rename is written with the configured split.
      w.add(ytUser('u1', { fullName: 'Ingrid Marie Solberg-Berg', email: 'c1@example.com' }));
      const renamed = w.plan({ flow: { ...w.input().flow, rows } });
      const update = renamed.actions.find((a) => a.kind === 'update' && a.target === 'customcrm');
      expect(update).toMatchObject({
        patch:
          split === 'first-word'
            ? { FirstName: 'Ingrid', LastName: 'Marie Solberg-Berg' }
            : { FirstName: 'Ingrid Marie', LastName: 'Solberg-Berg' },
      });
    },
  );
});
