import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMapping, type MappingRow } from './mapping.ts';
import { mergeValue, type MergeInput } from './merge.ts';
import type { PropValue } from './types.ts';
import { equalValues, isEmpty } from './values.ts';

const rowNamed = (flow: 'users' | 'organizations', name: string): MappingRow => {
  const row = defaultMapping.flows[flow].rows.find((r) => r.name === name);
  if (!row) throw new Error(name);
  return row;
};
const description = rowNamed('organizations', 'description');
const email = rowNamed('users', 'email');
const login = rowNamed('users', 'login');

const merge = (over: Partial<MergeInput>) =>
  mergeValue({ row: description, base: 'a', youtrack: 'a', customcrm: 'a', priority: 'youtrack', ...over });

describe('mergeValue', () => {
  it('writes nothing when both sides are equal under the row compare', () => {
    expect(merge({ youtrack: 'x', customcrm: 'x' })).toEqual({
      value: 'x',
      writeYouTrack: false,
      writeCustomcrm: false,
    });
    const r = mergeValue({
      row: email,
      base: 'a@x.io',
      youtrack: ' A@X.io ',
      customcrm: 'a@x.io',
      priority: 'youtrack',
    });
    expect(r.writeCustomcrm || r.writeYouTrack).toBe(false);
  });

  it('copies a one-sided change to the other side', () => {
    expect(merge({ youtrack: 'b' })).toEqual({ value: 'b', writeYouTrack: false, writeCustomcrm: true });
    expect(merge({ customcrm: 'c' })).toEqual({ value: 'c', writeYouTrack: true, writeCustomcrm: false });
  });

  it('lets the newer change win when both sides changed, and reports the loser', () => {
    const r = merge({
      youtrack: 'y',
      customcrm: 'c',
      youtrackChangedAt: '2025-01-01T10:00:00Z',
      customcrmChangedAt: '2025-01-01T11:00:00Z',
    });
    expect(r).toMatchObject({ value: 'c', writeYouTrack: true, writeCustomcrm: false });
    expect(r.conflict).toEqual({ winner: 'customcrm', winnerValue: 'c', loser: 'youtrack', loserValue: 'y' });
  });

  it('falls back to the priority on a tie or an unknown time', () => {
    const at = '2025-01-01T10:00:00Z';
    expect(
      merge({ youtrack: 'y', customcrm: 'c', youtrackChangedAt: at, customcrmChangedAt: at }).value,
    ).toBe('y');
    expect(merge({ youtrack: 'y', customcrm: 'c', customcrmChangedAt: at, priority: 'youtrack' }).value).toBe(
      'y',
    );
    expect(merge({ youtrack: 'y', customcrm: 'c', priority: 'customcrm' }).conflict?.winner).toBe(
      'customcrm',
    );
  });

  it('never lets an empty value overwrite a value unless that side emptied it', () => {
    expect(merge({ base: undefined, youtrack: '', customcrm: 'kept' })).toMatchObject({
      value: 'kept',
      writeYouTrack: true,
      writeCustomcrm: false,
    });
    expect(merge({ base: 'a', youtrack: null })).toMatchObject({ value: null, writeCustomcrm: true });
    // A clear against a concurrent edit: the edit survives, even when the clear is newer.
    const r = merge({
      youtrack: '',
      customcrm: 'new',
      youtrackChangedAt: '2030-01-01T00:00:00Z',
      customcrmChangedAt: '2020-01-01T00:00:00Z',
    });
    expect(r).toMatchObject({ value: 'new', writeYouTrack: true, conflict: { loserValue: '' } });
  });

  it('on a first link takes the priority side and reports the other', () => {
    const r = merge({ base: undefined, youtrack: 'y', customcrm: 'c', priority: 'customcrm' });
    expect(r).toMatchObject({
      value: 'c',
      writeYouTrack: true,
      conflict: { winner: 'customcrm', loserValue: 'y' },
    });
  });

  it('never writes YouTrack for a to-customcrm row; a Customcrm edit is left alone', () => {
    const left = mergeValue({
      row: login,
      base: 'ada',
      youtrack: 'ada',
      customcrm: 'edited',
      priority: 'customcrm',
    });
    expect(left).toEqual({ value: 'ada', writeYouTrack: false, writeCustomcrm: false });
    const renamed = mergeValue({
      row: login,
      base: 'ada',
      youtrack: 'ada2',
      customcrm: 'edited',
      priority: 'customcrm',
    });
    expect(renamed).toMatchObject({
      value: 'ada2',
      writeCustomcrm: true,
      writeYouTrack: false,
      conflict: { loser: 'customcrm' },
    });
  });
});

const valueArb: fc.Arbitrary<PropValue> = fc.oneof(
  fc.constantFrom(null, '', ' '),
  fc.constantFrom('a', 'b', 'A', ' b ', 'c'),
);
const rowArb = fc.constantFrom(description, email, login, {
  ...description,
  direction: 'to-youtrack' as const,
});
const inputArb = fc.record({
  row: rowArb,
  base: fc.option(valueArb, { nil: undefined }),
  youtrack: valueArb,
  customcrm: valueArb,
  priority: fc.constantFrom('youtrack' as const, 'customcrm' as const),
  youtrackChangedAt: fc.constantFrom('2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z'),
  customcrmChangedAt: fc.constantFrom('2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z'),
});

function applied(input: MergeInput): MergeInput {
  const r = mergeValue(input);
  return {
    ...input,
    base: r.value,
    youtrack: r.writeYouTrack ? r.value : input.youtrack,
    customcrm: r.writeCustomcrm ? r.value : input.customcrm,
  };
}

describe('mergeValue properties', () => {
  it('is idempotent: merging the result again writes nothing', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const again = mergeValue(applied(input));
        expect(again.writeYouTrack || again.writeCustomcrm).toBe(false);
      }),
    );
  });

  it('leaves both sides equal after the writes of a two-way row', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        fc.pre(input.row.direction === 'both');
        const next = applied(input);
        expect(equalValues(input.row, next.youtrack, next.customcrm)).toBe(true);
      }),
    );
  });

  it('delivers a change made on one side only', () => {
    fc.assert(
      fc.property(inputArb, fc.boolean(), (input, onYouTrack) => {
        fc.pre(input.base !== undefined && input.row.direction === 'both');
        const edited = onYouTrack ? { ...input, customcrm: input.base } : { ...input, youtrack: input.base };
        const changed = onYouTrack ? edited.youtrack : edited.customcrm;
        fc.pre(!equalValues(input.row, changed, input.base ?? null));
        expect(mergeValue(edited).value).toBe(changed);
      }),
    );
  });

  it('never replaces a non-empty value with an empty one unless the base was non-empty', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        fc.pre(input.base === undefined || isEmpty(input.base));
        const r = mergeValue(input);
        if (r.writeYouTrack && !isEmpty(input.youtrack)) expect(isEmpty(r.value)).toBe(false);
        if (r.writeCustomcrm && !isEmpty(input.customcrm)) expect(isEmpty(r.value)).toBe(false);
      }),
    );
  });

  it('writes nothing when neither side changed since the base', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const r = mergeValue({ ...input, base: input.youtrack, customcrm: input.youtrack });
        expect(r.writeYouTrack || r.writeCustomcrm).toBe(false);
      }),
    );
  });
});
