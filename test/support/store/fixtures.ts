import { expect } from 'vitest';
import type { Props } from '../../../src/core/types.ts';
import type { Clock } from '../../../src/util/clock.ts';
import { StoreError } from '../../../src/store/errors.ts';
import type { NewHistoryEntry, NewJournalEntry, NewLink, StateStore } from '../../../src/store/types.ts';

/** Fixtures of the shared store suite (`suite.ts`). */

/** Gives a migrated store on a new, empty database. */
export type OpenStore = (options?: { clock?: Clock }) => Promise<StateStore>;

export const T0 = Date.parse('2025-03-01T10:00:00.000Z');

export function link(over: Partial<NewLink> = {}): NewLink {
  return {
    flow: 'users',
    ytType: 'User',
    ytId: 'yt-1',
    crmType: 'Contact',
    crmId: 'crm-1',
    origin: 'merged',
    status: 'active',
    base: { Email: 'a@example.com' },
    ytHash: 'h1',
    crmHash: 'h2',
    crmVersion: '"v1"',
    label: 'Ada Lovelace <a@example.com>',
    ...over,
  };
}

export function history(over: Partial<NewHistoryEntry> = {}): NewHistoryEntry {
  return {
    at: '2025-03-01T10:00:00.000Z',
    cycleId: null,
    linkId: null,
    flow: 'users',
    system: 'customcrm',
    recordId: 'crm-1',
    property: 'Email',
    oldValue: null,
    newValue: 'a@example.com',
    source: 'youtrack',
    action: 'updated',
    note: null,
    ...over,
  };
}

export function journalEntry(over: Partial<NewJournalEntry> = {}): NewJournalEntry {
  return {
    key: 'create:users:yt-1',
    flow: 'users',
    op: 'create',
    targetSystem: 'customcrm',
    targetType: 'Contact',
    sourceSystem: 'youtrack',
    sourceId: 'yt-1',
    payload: { Email: 'a@x', Active: true, Groups: ['g1'] },
    ...over,
  };
}

/** Every kind of PropValue, with the strings that break naive encodings. */
export const EVERY_KIND: Props = {
  nothing: null,
  yes: true,
  no: false,
  zero: 0,
  negative: -42,
  fraction: 3.25,
  big: 9007199254740991,
  empty: '',
  emoji: '👩‍💻 Ada 🚀',
  rtl: 'שלום עולם \u202Eevil',
  control: 'tab\there\nnew line\r\u0001\u001f\u007f "quoted" \\ back',
  accents: 'Jiří Novák',
  list: ['a', 'b', 'ř', ''],
  emptyList: [],
};

export async function expectCode(promise: Promise<unknown>, code: string): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}
