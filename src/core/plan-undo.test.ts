import { describe, expect, it } from 'vitest';
import { defaultMapping } from './mapping.ts';
import { planUndo, type UndoInput } from './plan-undo.ts';
import type { LinkState } from './plan-types.ts';
import { contact, fixedRefs, ytUser } from '../../test/support/core/world.ts';

const link: LinkState = {
  id: 7,
  ytId: 'u1',
  crmId: 'c1',
  status: 'active',
  base: { fullName: 'Ada King', email: 'ada@example.com' },
  origin: 'merged',
};

function input(over: Partial<UndoInput>): UndoInput {
  return {
    rows: defaultMapping.flows.users.rows,
    types: { youtrack: 'User', customcrm: 'Contact' },
    link,
    entries: [],
    youtrack: ytUser('u1', { fullName: 'Ada King', email: 'ada@example.com' }),
    customcrm: contact('c1', { FirstName: 'Ada', LastName: 'King', Email: 'ada@example.com' }),
    refs: fixedRefs([]),
    deletes: 'keep',
    cycleId: 3,
    ...over,
  };
}

const renamed = { action: 'updated', system: 'customcrm', recordId: 'c1', property: 'fullName' } as const;

describe('planUndo (issue 14)', () => {
  it('puts back the value from before the cycle and its base', () => {
    const actions = planUndo(
      input({ entries: [{ ...renamed, oldValue: 'Ada Lovelace', newValue: 'Ada King' }] }),
    );
    expect(actions).toMatchObject([
      { kind: 'update', target: 'customcrm', patch: { LastName: 'Lovelace' }, note: 'undo of cycle 3' },
      { kind: 'setBase', base: { fullName: 'Ada Lovelace', email: 'ada@example.com' } },
    ]);
  });

  it('goes back to the first old value when the cycle wrote a property twice', () => {
    const actions = planUndo(
      input({
        entries: [
          { ...renamed, oldValue: 'Ada Lovelace', newValue: 'Ada Byron' },
          { ...renamed, oldValue: 'Ada Byron', newValue: 'Ada King' },
        ],
      }),
    );
    expect(actions[0]).toMatchObject({ kind: 'update', changes: [{ from: 'Ada King', to: 'Ada Lovelace' }] });
  });

  it('turns a value changed since into a conflict and writes nothing', () => {
    const actions = planUndo(
      input({
        entries: [{ ...renamed, oldValue: 'Ada Lovelace', newValue: 'Ada Byron' }],
      }),
    );
    expect(actions).toEqual([
      expect.objectContaining({ kind: 'conflict', winnerValue: 'Ada King', loserValue: 'Ada Lovelace' }),
    ]);
  });

  it('deletes a record the cycle created, or deactivates a Contact with the deactivate policy', () => {
    const created = {
      action: 'created',
      system: 'customcrm',
      recordId: 'c1',
      property: null,
      oldValue: null,
      newValue: 'Ada',
    } as const;
    expect(planUndo(input({ entries: [created] })).map((a) => a.kind)).toEqual(['delete', 'markDeleted']);
    expect(planUndo(input({ entries: [created], deletes: 'deactivate' })).map((a) => a.kind)).toEqual([
      'deactivate',
      'markDeleted',
    ]);
  });
});
