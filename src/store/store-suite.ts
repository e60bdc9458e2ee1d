import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Props } from '../core/types.ts';
import { ManualClock, type Clock } from '../util/clock.ts';
import { StoreError } from './errors.ts';
import { defineListTests } from './store-suite-lists.ts';
import type { NewHistoryEntry, NewLink, StateStore } from './types.ts';

/**
 * The one test suite every StateStore implementation must pass. `open` gives a migrated store on
 * a new, empty database; `openAgain` a second store, with its own connections, on the database
 * of the last `open`.
 */
export type OpenStore = (options?: { clock?: Clock }) => Promise<StateStore>;

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

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

function history(over: Partial<NewHistoryEntry> = {}): NewHistoryEntry {
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

async function expectCode(promise: Promise<unknown>, code: string): Promise<StoreError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  return err as StoreError;
}

export function defineStoreSuite(name: string, open: OpenStore, openAgain: () => Promise<StateStore>): void {
  describe(`StateStore on ${name}`, () => {
    const opened: StateStore[] = [];
    const fresh: OpenStore = async (options) => {
      const store = await open(options);
      opened.push(store);
      return store;
    };
    const again = async () => {
      const store = await openAgain();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('schema', () => {
      it('migrates twice without harm and keeps the data', async () => {
        const store = await fresh();
        const l = await store.insertLink(link());
        await store.migrate();
        expect(await store.getLink(l.id)).toEqual(l);
      });

      it('lets two stores migrate the same database at once', async () => {
        const a = await fresh();
        const b = await again();
        await Promise.all([a.migrate(), b.migrate()]);
        await a.insertLink(link());
        expect((await b.countLinks())[0]?.count).toBe(1);
      });
    });

    describe('links', () => {
      it('inserts, reads, finds and updates a link', async () => {
        const clock = new ManualClock(T0);
        const store = await fresh({ clock });
        const l = await store.insertLink(link({ base: EVERY_KIND }));
        expect(l).toMatchObject({ ...link({ base: EVERY_KIND }), createdAt: '2025-03-01T10:00:00.000Z' });
        expect(l.updatedAt).toBe(l.createdAt);
        expect(await store.getLink(l.id)).toEqual(l);
        expect(await store.getLink(l.id + 1000)).toBeNull();
        expect(await store.findLink({ flow: 'users', ytId: 'yt-1' })).toEqual(l);
        expect(await store.findLink({ flow: 'users', crmId: 'crm-1' })).toEqual(l);
        expect(await store.findLink({ flow: 'users', ytId: 'yt-1', crmId: 'crm-1' })).toEqual(l);
        expect(await store.findLink({ flow: 'users', ytId: 'yt-1', crmId: 'other' })).toBeNull();
        expect(await store.findLink({ flow: 'groups', ytId: 'yt-1' })).toBeNull();
        expect(await store.findLinks({ flow: 'users', ytIds: ['yt-1', 'yt-9'] })).toEqual([l]);
        expect(await store.findLinks({ flow: 'groups', ytIds: ['yt-1'] })).toEqual([]);
        expect(await store.findLinks({ flow: 'users', ytIds: [] })).toEqual([]);

        clock.advance(60_000);
        await store.updateLink(l.id, {
          crmHash: null,
          crmVersion: '"v2"',
          base: { Email: null },
          label: 'Ada <b@x>',
        });
        const updated = await store.getLink(l.id);
        expect(updated).toEqual({
          ...l,
          crmHash: null,
          crmVersion: '"v2"',
          base: { Email: null },
          label: 'Ada <b@x>',
          updatedAt: '2025-03-01T10:01:00.000Z',
        });
      });

      it('rejects finding without an id and updating a missing link', async () => {
        const store = await fresh();
        await expectCode(store.findLink({ flow: 'users' }), 'INVALID_ARGUMENT');
        const err = await expectCode(store.updateLink(999, { label: 'x' }), 'NOT_FOUND');
        expect(err.message).toContain('999');
      });

      it('allows one active link per record and flow', async () => {
        const store = await fresh();
        const first = await store.insertLink(link());
        const dupYt = await expectCode(store.insertLink(link({ crmId: 'crm-2' })), 'LINK_EXISTS');
        expect(dupYt.message).toContain('yt-1');
        await expectCode(store.insertLink(link({ ytId: 'yt-2' })), 'LINK_EXISTS');
        await store.insertLink(link({ flow: 'groups', ytType: 'Group', crmType: 'Customer' }));

        await store.updateLink(first.id, { status: 'customcrm-deleted' });
        const second = await store.insertLink(link({ crmId: 'crm-2' }));
        expect((await store.findLink({ flow: 'users', ytId: 'yt-1' }))?.id).toBe(second.id);
        expect((await store.findLink({ flow: 'users', crmId: 'crm-1' }))?.id).toBe(first.id);
        const third = await store.insertLink(link({ ytId: 'yt-3', crmId: 'crm-3' }));
        const batch = await store.findLinks({ flow: 'users', ytIds: ['yt-3', 'yt-1', "it's"] });
        expect(batch.map((l) => [l.id, l.status])).toEqual([
          [first.id, 'customcrm-deleted'],
          [second.id, 'active'],
          [third.id, 'active'],
        ]);
        // Many at once: in the order given, and all or none.
        const many = await store.insertLinks([
          link({ ytId: 'yt-7', crmId: 'crm-7', base: EVERY_KIND }),
          link({ ytId: 'yt-5', crmId: 'crm-5', label: 'O’Brien "Ann" <a@x>' }),
        ]);
        expect(many.map((l) => [l.ytId, l.label])).toEqual([
          ['yt-7', 'Ada Lovelace <a@example.com>'],
          ['yt-5', 'O’Brien "Ann" <a@x>'],
        ]);
        expect(await store.getLink(many[0]!.id)).toEqual(many[0]);
        expect(many[0]!.base).toEqual(EVERY_KIND);
        const clash = await expectCode(
          store.insertLinks([link({ ytId: 'yt-8', crmId: 'crm-8' }), link({ ytId: 'yt-3', crmId: 'crm-9' })]),
          'LINK_EXISTS',
        );
        expect(clash.message).toContain('2 links');
        expect(await store.findLink({ flow: 'users', ytId: 'yt-8' })).toBeNull();
        expect(await store.insertLinks([])).toEqual([]);
        // By either side at once, each link once, in id order.
        const either = await store.findLinks({
          flow: 'users',
          ytIds: ['yt-3'],
          crmIds: ['crm-1', 'crm-3', 'x'],
        });
        expect(either.map((l) => l.id)).toEqual([first.id, third.id]);
        const byCrm = await store.findLinks({ flow: 'users', ytIds: [], crmIds: ['crm-3', 'crm-2'] });
        expect(byCrm.map((l) => l.id)).toEqual([second.id, third.id]);
        await expectCode(store.updateLink(first.id, { status: 'active' }), 'LINK_EXISTS');
      });

      it('round-trips every kind of property value in base', async () => {
        const store = await fresh();
        const l = await store.insertLink(link({ base: EVERY_KIND, label: EVERY_KIND.rtl as string }));
        const back = await store.getLink(l.id);
        expect(back?.base).toEqual(EVERY_KIND);
        expect(back?.label).toBe(EVERY_KIND.rtl);
        expect(Object.keys(back?.base ?? {}).sort()).toEqual(Object.keys(EVERY_KIND).sort());
      });

      it('refuses a NUL character alike in every database, naming the link', async () => {
        const store = await fresh();
        const err = await expectCode(store.insertLink(link({ base: { Name: 'a\u0000b' } })), 'INVALID_VALUE');
        expect(err.message).toContain('yt-1');
        await expectCode(store.insertLink(link({ label: 'x\u0000' })), 'INVALID_VALUE');
        expect(await store.countLinks()).toEqual([]);
      });

      it('lists with filters and counts by flow and status', async () => {
        const store = await fresh();
        const a = await store.insertLink(link());
        const b = await store.insertLink(link({ ytId: 'yt-2', crmId: 'crm-2', status: 'youtrack-deleted' }));
        const c = await store.insertLink(link({ flow: 'groups', ytId: 'g', crmId: 'c' }));
        expect((await store.listLinks({})).map((l) => l.id)).toEqual([a.id, b.id, c.id]);
        expect((await store.listLinks({ flow: 'users' })).map((l) => l.id)).toEqual([a.id, b.id]);
        expect((await store.listLinks({ status: 'active' })).map((l) => l.id)).toEqual([a.id, c.id]);
        expect((await store.listLinks({ afterId: a.id, limit: 1 })).map((l) => l.id)).toEqual([b.id]);
        expect(await store.countLinks()).toEqual([
          { flow: 'groups', status: 'active', count: 1 },
          { flow: 'users', status: 'active', count: 1 },
          { flow: 'users', status: 'youtrack-deleted', count: 1 },
        ]);
      });

      it('searches label, e-mail and ids case-insensitively, wildcards taken literally', async () => {
        const store = await fresh();
        const jiri = await store.insertLink(
          link({ label: 'Jiří Novák <jiri@firma.cz>', ytId: 'U-77', crmId: '100' }),
        );
        const ada = await store.insertLink(link({ label: 'Ada 100% <ada@x.io>', ytId: 'U-1', crmId: 'C_9' }));
        const ids = async (text: string, limit = 10) =>
          (await store.searchLinks(text, limit)).map((l) => l.id);
        expect(await ids('JIŘÍ')).toEqual([jiri.id]);
        expect(await ids('NOVÁK <JIRI@')).toEqual([jiri.id]);
        expect(await ids('u-77')).toEqual([jiri.id]);
        expect(await ids('100')).toEqual([ada.id, jiri.id]);
        expect(await ids('100', 1)).toEqual([ada.id]);
        expect(await ids('100%')).toEqual([ada.id]);
        expect(await ids('c_9')).toEqual([ada.id]);
        expect(await ids('c%9')).toEqual([]);
        expect(await ids('_')).toEqual([ada.id]);
      });

      it('streams 2,500 links of a flow in id order without gaps', async () => {
        const store = await fresh();
        const expected: number[] = [];
        await store.transaction(async (tx) => {
          for (let i = 0; i < 2500; i++) {
            const l = await tx.insertLink(link({ ytId: `yt-${i}`, crmId: `crm-${i}` }));
            expected.push(l.id);
            if (i % 7 === 0) {
              await tx.insertLink(link({ flow: 'groups', ytId: `g-${i}`, crmId: `c-${i}` }));
            }
          }
        });
        const seen: number[] = [];
        for await (const l of store.iterateLinks('users')) {
          expect(l.flow).toBe('users');
          seen.push(l.id);
        }
        expect(seen).toEqual(expected);
        let groups = 0;
        for await (const _ of store.iterateLinks('groups')) groups++;
        expect(groups).toBe(358);
        for await (const _ of store.iterateLinks('organizations'))
          throw new Error('no organizations expected');
      });
    });

    describe('transactions', () => {
      it('keeps nothing of a transaction that throws', async () => {
        const store = await fresh();
        const boom = new Error('boom');
        await expect(
          store.transaction(async (tx) => {
            const l = await tx.insertLink(link());
            await tx.addHistory([history({ linkId: l.id })]);
            await tx.setWatermark('wm', 'x');
            expect(await tx.getLink(l.id)).not.toBeNull();
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await store.listLinks({})).toEqual([]);
        expect(await store.listHistory({})).toEqual([]);
        expect(await store.getWatermark('wm')).toBeUndefined();
      });

      it('joins nested transactions and calls on the store itself into the outer one', async () => {
        const store = await fresh();
        const result = await store.transaction(async (tx) => {
          await tx.insertLink(link());
          const inner = await tx.transaction(async (tx2) => {
            await tx2.insertLink(link({ ytId: 'yt-2', crmId: 'crm-2' }));
            return 'inner';
          });
          await store.insertLink(link({ ytId: 'yt-3', crmId: 'crm-3' }));
          return `${inner}+${(await store.listLinks({})).length}`;
        });
        expect(result).toBe('inner+3');

        await expect(
          store.transaction(async (tx) => {
            await tx.transaction((tx2) => tx2.insertLink(link({ ytId: 'yt-4', crmId: 'crm-4' })));
            throw new Error('outer fails');
          }),
        ).rejects.toThrow('outer fails');
        expect(await store.findLink({ flow: 'users', ytId: 'yt-4' })).toBeNull();
      });

      it('keeps exactly the transactions that committed, whatever fails where', async () => {
        const store = await fresh();
        let run = 0;
        const batches = fc.array(
          fc.record({ size: fc.integer({ min: 1, max: 4 }), failAt: fc.option(fc.nat(4)) }),
          {
            minLength: 1,
            maxLength: 5,
          },
        );
        await fc.assert(
          fc.asyncProperty(batches, async (plan) => {
            run++;
            const before = (await store.listLinks({ flow: 'organizations' })).length;
            let kept = 0;
            for (const [b, { size, failAt }] of plan.entries()) {
              const fails = failAt !== null && failAt < size;
              await store
                .transaction(async (tx) => {
                  for (let i = 0; i < size; i++) {
                    if (i === failAt) throw new Error('fail');
                    await tx.insertLink(
                      link({ flow: 'organizations', ytId: `${run}-${b}-${i}`, crmId: `${run}-${b}-${i}` }),
                    );
                  }
                })
                .catch(() => undefined);
              if (!fails) kept += size;
            }
            expect((await store.listLinks({ flow: 'organizations' })).length).toBe(before + kept);
          }),
          { numRuns: 15 },
        );
      });

      it('never shows another caller half a transaction', async () => {
        const store = await fresh();
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let inserted!: () => void;
        const firstInserted = new Promise<void>((r) => (inserted = r));
        const tx = store.transaction(async (t) => {
          await t.insertLink(link());
          inserted();
          await gate;
          await t.insertLink(link({ ytId: 'yt-2', crmId: 'crm-2' }));
        });
        await firstInserted;
        const reading = store.listLinks({});
        release();
        await tx;
        expect([0, 2]).toContain((await reading).length);
      });
    });

    describe('history', () => {
      it('records entries and lists them newest first by link, record and cycle', async () => {
        const store = await fresh();
        const l = await store.insertLink(link());
        const cycle = await store.startCycle({ connection: 'main', kind: 'full' });
        await store.addHistory([
          history({ linkId: l.id, cycleId: cycle, oldValue: EVERY_KIND.list ?? null, newValue: ['x'] }),
          history({
            linkId: l.id,
            recordId: 'yt-1',
            system: 'youtrack',
            property: 'name',
            newValue: EVERY_KIND.emoji ?? null,
          }),
          history({
            recordId: 'other',
            action: 'skipped',
            note: 'merge-only',
            at: '2025-03-01T12:00:00+02:00',
          }),
        ]);
        await store.addHistory([]);
        const byLink = await store.listHistory({ linkId: l.id });
        expect(byLink.map((h) => h.property)).toEqual(['name', 'Email']);
        expect(byLink[1]).toMatchObject({ oldValue: ['a', 'b', 'ř', ''], newValue: ['x'], cycleId: cycle });
        expect(byLink[0]?.newValue).toBe(EVERY_KIND.emoji);
        expect((await store.listHistory({ recordId: 'other' }))[0]).toMatchObject({
          at: '2025-03-01T10:00:00.000Z',
          note: 'merge-only',
          action: 'skipped',
          linkId: null,
        });
        expect(await store.listHistory({ cycleId: cycle })).toHaveLength(1);
        const all = await store.listHistory({});
        expect(all).toHaveLength(3);
        const page = await store.listHistory({ beforeId: all[0]!.id, limit: 1 });
        expect(page.map((h) => h.id)).toEqual([all[1]!.id]);
      });
    });

    describe('conflicts', () => {
      it('records, resolves and carries out a person’s choice once', async () => {
        const clock = new ManualClock(T0);
        const store = await fresh({ clock });
        const l = await store.insertLink(link());
        const base = {
          linkId: l.id,
          flow: 'users' as const,
          winnerSide: 'youtrack' as const,
          loserSide: 'customcrm' as const,
        };
        const c1 = await store.addConflict({
          ...base,
          property: 'Email',
          winnerValue: 'new@x',
          loserValue: 'old@x',
          at: '2025-03-01T09:00:00.000Z',
        });
        const c2 = await store.addConflict({
          ...base,
          property: 'Active',
          winnerValue: true,
          loserValue: null,
          at: '2025-03-01T09:00:01.000Z',
        });
        expect(c1).toMatchObject({
          status: 'open',
          pending: false,
          resolvedAt: null,
          resolvedBy: null,
          winnerValue: 'new@x',
        });
        expect(await store.countConflicts()).toEqual({ open: 2, pending: 0 });
        expect((await store.listConflicts({ status: 'open' })).map((c) => c.id)).toEqual([c2.id, c1.id]);
        expect(await store.listConflicts({ linkId: l.id + 1 })).toEqual([]);

        await store.resolveConflict(c1.id, 'apply-loser', 'ops@example.com');
        await store.resolveConflict(c2.id, 'keep-winner', 'ops@example.com');
        expect(await store.countConflicts()).toEqual({ open: 0, pending: 2 });
        const pending = await store.pendingResolutions();
        expect(pending.map((c) => [c.id, c.status])).toEqual([
          [c1.id, 'applied-loser'],
          [c2.id, 'kept'],
        ]);
        expect(pending[0]).toMatchObject({
          pending: true,
          resolvedBy: 'ops@example.com',
          resolvedAt: '2025-03-01T10:00:00.000Z',
          loserValue: 'old@x',
        });
        expect(pending[1]?.winnerValue).toBe(true);

        const again = await expectCode(
          store.resolveConflict(c1.id, 'keep-winner', 'other'),
          'CONFLICT_NOT_OPEN',
        );
        expect(again.message).toContain('ops@example.com');
        await expectCode(store.resolveConflict(c1.id + 100, 'keep-winner', 'x'), 'NOT_FOUND');

        await store.markResolutionApplied(c1.id);
        expect((await store.pendingResolutions()).map((c) => c.id)).toEqual([c2.id]);
        expect(await store.countConflicts()).toEqual({ open: 0, pending: 1 });
      });
    });

    describe('quarantine', () => {
      const rec = { system: 'customcrm', recordType: 'Contact', recordId: 'crm-9' } as const;
      const entry = {
        ...rec,
        flow: 'users',
        code: 'INVALID_EMAIL',
        property: 'Email',
        reason: 'not an e-mail',
      } as const;

      it('counts attempts, keeps the first sighting and clears a retry request', async () => {
        const clock = new ManualClock(T0);
        const store = await fresh({ clock });
        await store.quarantine(entry);
        const first = await store.findQuarantine(rec);
        expect(first).toMatchObject({
          ...entry,
          attempts: 1,
          status: 'quarantined',
          retryRequested: false,
          firstSeen: '2025-03-01T10:00:00.000Z',
        });
        expect(await store.requestRetry(first!.id)).toBe(1);
        expect((await store.findQuarantine(rec))?.retryRequested).toBe(true);

        clock.advance(3_600_000);
        await store.quarantine({ ...entry, reason: 'still not an e-mail', property: null });
        expect(await store.findQuarantine(rec)).toMatchObject({
          id: first!.id,
          attempts: 2,
          reason: 'still not an e-mail',
          property: null,
          retryRequested: false,
          firstSeen: '2025-03-01T10:00:00.000Z',
          lastSeen: '2025-03-01T11:00:00.000Z',
        });
        expect(await store.findQuarantine({ ...rec, recordId: 'nope' })).toBeNull();
      });

      it('releases, retries all and starts over after a release', async () => {
        const clock = new ManualClock(T0);
        const store = await fresh({ clock });
        await store.quarantine(entry);
        await store.quarantine(entry);
        await store.quarantine({ ...entry, recordId: 'crm-10' });
        await store.quarantine({ ...entry, system: 'youtrack', recordType: 'User', recordId: 'u-1' });
        expect(await store.countQuarantine()).toEqual({ quarantined: 3, retryRequested: 0 });
        await store.releaseQuarantine({ system: 'youtrack', recordType: 'User', recordId: 'u-1' });
        expect(await store.requestRetry('all')).toBe(2);
        expect(await store.requestRetry(999)).toBe(0);
        expect(await store.countQuarantine()).toEqual({ quarantined: 2, retryRequested: 2 });
        expect((await store.listQuarantine({ status: 'released' })).map((q) => q.recordId)).toEqual(['u-1']);
        expect((await store.listQuarantine({ status: 'quarantined' })).map((q) => q.recordId)).toEqual([
          'crm-10',
          'crm-9',
        ]);
        expect(await store.listQuarantine({ limit: 1 })).toHaveLength(1);

        await store.releaseQuarantine(rec);
        const released = await store.findQuarantine(rec);
        expect(released).toMatchObject({ status: 'released', retryRequested: false, attempts: 2 });
        clock.advance(1000);
        await store.quarantine(entry);
        expect(await store.findQuarantine(rec)).toMatchObject({
          status: 'quarantined',
          attempts: 1,
          firstSeen: '2025-03-01T10:00:01.000Z',
        });
      });
    });

    describe('journal', () => {
      const write = {
        key: 'create:users:yt-1',
        flow: 'users',
        op: 'create',
        targetSystem: 'customcrm',
        targetType: 'Contact',
        sourceSystem: 'youtrack',
        sourceId: 'yt-1',
        payload: { Email: 'a@x', Active: true, Groups: ['g1'] },
      } as const;

      it('begins idempotently, lists pending writes and completes them', async () => {
        const store = await fresh({ clock: new ManualClock(T0) });
        const e = await store.beginWrite(write);
        expect(e).toMatchObject({
          ...write,
          status: 'pending',
          targetId: null,
          error: null,
          completedAt: null,
          createdAt: '2025-03-01T10:00:00.000Z',
        });
        expect((await store.beginWrite({ ...write, payload: {} })).id).toBe(e.id);
        const f = await store.beginWrite({ ...write, key: 'create:users:yt-2', sourceId: 'yt-2' });
        expect((await store.pendingWrites()).map((p) => p.id)).toEqual([e.id, f.id]);

        await store.completeWrite(e.id, { status: 'done', targetId: 'crm-77' });
        await store.completeWrite(f.id, { status: 'failed', error: '422 Email invalid' });
        expect(await store.pendingWrites()).toEqual([]);
        expect(await store.beginWrite(write)).toMatchObject({
          id: e.id,
          status: 'done',
          targetId: 'crm-77',
          completedAt: '2025-03-01T10:00:00.000Z',
        });
        expect((await store.beginWrite({ ...write, key: 'create:users:yt-2' })).error).toBe(
          '422 Email invalid',
        );
        await expectCode(store.completeWrite(f.id + 100, { status: 'done' }), 'NOT_FOUND');

        const [g, h] = await store.beginWrites([
          { ...write, key: 'g' },
          { ...write, key: 'h' },
        ]);
        await store.completeWrites([
          { id: g!.id, status: 'done', targetId: 'crm-g' },
          { id: h!.id, status: 'failed', error: 'not sent' },
        ]);
        expect(await store.beginWrite({ ...write, key: 'g' })).toMatchObject({
          status: 'done',
          targetId: 'crm-g',
        });
        expect(await store.beginWrite({ ...write, key: 'h' })).toMatchObject({
          status: 'failed',
          error: 'not sent',
        });
        await expectCode(store.completeWrites([{ id: h!.id + 100, status: 'done' }]), 'NOT_FOUND');
      });

      it('begins many in one call, in the order given, idempotently and like one at a time', async () => {
        const store = await fresh({ clock: new ManualClock(T0) });
        const one = await store.beginWrite({ ...write, key: 'k-0' });
        const many = Array.from({ length: 70 }, (_, i) => ({
          ...write,
          key: `k-${(i * 37) % 70}`,
          sourceId: `yt-${i}`,
          payload: {
            Email: `u${i}@x`,
            Active: i % 2 === 0,
            Groups: [`g${i}`],
            Note: 'naïve "quoted" \\ text',
          },
        }));
        const begun = await store.beginWrites(many);
        expect(begun.map((e) => e.key)).toEqual(many.map((e) => e.key));
        // k-0 was begun before: its first entry comes back, as with beginWrite.
        expect(begun.find((e) => e.key === 'k-0')).toEqual(one);
        for (const [i, e] of begun.entries()) {
          if (e.key === 'k-0') continue;
          expect(e).toMatchObject({ ...many[i], status: 'pending', createdAt: '2025-03-01T10:00:00.000Z' });
          expect(await store.beginWrite(many[i]!)).toEqual(e);
        }
        expect(await store.pendingWrites()).toHaveLength(70);
        expect(await store.beginWrites([])).toEqual([]);
      });
    });

    describe('watermarks and cycles', () => {
      it('keeps the last value of each watermark', async () => {
        const store = await fresh();
        expect(await store.getWatermark('main:youtrack')).toBeUndefined();
        await store.setWatermark('main:youtrack', '1000');
        await store.setWatermark('main:customcrm', 'cursor-a');
        await store.setWatermark('main:youtrack', '2000');
        expect(await store.getWatermark('main:youtrack')).toBe('2000');
        expect(await store.getWatermark('main:customcrm')).toBe('cursor-a');
      });

      it('records cycles from start to finish and charts the writes of finished ones', async () => {
        const clock = new ManualClock(T0);
        const store = await fresh({ clock });
        const a = await store.startCycle({ connection: 'main', kind: 'full' });
        clock.advance(5000);
        await store.finishCycle(a, {
          status: 'ok',
          writes: 7,
          stats: {
            users: { customcrm: { read: 1, created: 7, updated: 0, deleted: 0, conflicts: 0, errors: 0 } },
          },
        });
        const b = await store.startCycle({ connection: 'main', kind: 'incremental' });
        await store.finishCycle(b, { status: 'failed', writes: 0, stats: {}, message: 'YouTrack 503' });
        const c = await store.startCycle({ connection: 'main', kind: 'plan' });

        const cycles = await store.listCycles({ limit: 10 });
        expect(cycles.map((x) => [x.id, x.status])).toEqual([
          [c, 'running'],
          [b, 'failed'],
          [a, 'ok'],
        ]);
        expect(cycles[2]).toMatchObject({
          connection: 'main',
          kind: 'full',
          writes: 7,
          startedAt: '2025-03-01T10:00:00.000Z',
          finishedAt: '2025-03-01T10:00:05.000Z',
        });
        expect(cycles[2]?.stats.users?.customcrm?.created).toBe(7);
        expect(cycles[2]).not.toHaveProperty('message');
        expect(cycles[1]?.message).toBe('YouTrack 503');
        expect(cycles[0]?.finishedAt).toBeNull();
        expect(await store.listCycles({ limit: 1 })).toHaveLength(1);
        expect(await store.writesPerCycle(10)).toEqual([
          { cycleId: a, startedAt: '2025-03-01T10:00:00.000Z', writes: 7 },
          { cycleId: b, startedAt: '2025-03-01T10:00:05.000Z', writes: 0 },
        ]);
        expect((await store.writesPerCycle(1)).map((w) => w.cycleId)).toEqual([b]);
        await expectCode(store.finishCycle(c + 100, { status: 'ok', writes: 0, stats: {} }), 'NOT_FOUND');
      });

      it('closes the cycles a dead process left running, all but the newest, in its connection only', async () => {
        const clock = new ManualClock(T0);
        const main = await fresh({ clock });
        const other = main.forConnection('other');
        const done = await main.startCycle({ connection: 'main', kind: 'full' });
        await main.finishCycle(done, { status: 'ok', writes: 3, stats: {} });
        const dead = [
          await main.startCycle({ connection: 'main', kind: 'full' }),
          await main.startCycle({ connection: 'main', kind: 'incremental' }),
        ];
        const otherRunning = await other.startCycle({ connection: 'other', kind: 'full' });
        const current = await main.startCycle({ connection: 'main', kind: 'incremental' });
        clock.advance(60_000);

        expect(await main.interruptStaleCycles()).toEqual(dead);
        const status = new Map((await main.listCycles({ limit: 10 })).map((c) => [c.id, c]));
        expect(status.get(done)).toMatchObject({ status: 'ok', writes: 3 });
        expect(status.get(current)).toMatchObject({ status: 'running', finishedAt: null });
        expect(status.get(otherRunning)).toMatchObject({ status: 'running', finishedAt: null });
        for (const id of dead) {
          expect(status.get(id)).toMatchObject({
            status: 'interrupted',
            finishedAt: '2025-03-01T10:01:00.000Z',
          });
          expect(status.get(id)?.message).toContain(`cycle ${current} of connection main`);
        }
        // Its writes were never counted, so the writes chart leaves it out rather than show 0.
        expect((await main.writesPerCycle(10)).map((w) => w.cycleId)).toEqual([done]);
        expect(await main.interruptStaleCycles()).toEqual([]);
        expect(await other.interruptStaleCycles()).toEqual([]);
        expect(await main.forConnection('idle').interruptStaleCycles()).toEqual([]);

        await main.finishCycle(current, { status: 'ok', writes: 0, stats: {} });
        expect((await main.listCycles({ limit: 10 })).filter((c) => c.status === 'running')).toEqual([
          expect.objectContaining({ id: otherRunning }),
        ]);
      });

      it('gives the newest cycle of every connection, however long ago it ran', async () => {
        const store = await fresh();
        expect(await store.lastCycles()).toEqual([]);
        const old = await store.startCycle({ connection: 'zeta', kind: 'full' });
        await store.finishCycle(old, { status: 'failed', writes: 0, stats: {}, message: 'YouTrack 503' });
        let newest = 0;
        for (let i = 0; i < 30; i++)
          newest = await store.startCycle({ connection: 'alpha', kind: 'incremental' });
        const last = await store.lastCycles();
        expect(last.map((c) => [c.connection, c.id, c.status])).toEqual([
          ['alpha', newest, 'running'],
          ['zeta', old, 'failed'],
        ]);
        expect(last[1]?.message).toBe('YouTrack 503');
      });
    });

    defineListTests(fresh);

    describe('connections', () => {
      it('keeps each connection’s links, quarantine, journal, history and conflicts apart', async () => {
        const main = await fresh();
        const other = main.forConnection('other');
        expect(main.connection).toBe('main');
        expect(other.connection).toBe('other');
        const a = await main.insertLink(link());
        // The same ids in another connection are another link, not a LINK_EXISTS.
        const b = await other.insertLink(link({ label: 'Other Ada' }));
        expect(b.id).not.toBe(a.id);
        expect((await main.findLink({ flow: 'users', ytId: 'yt-1' }))?.id).toBe(a.id);
        expect((await other.findLink({ flow: 'users', ytId: 'yt-1' }))?.id).toBe(b.id);
        expect((await other.findLinks({ flow: 'users', ytIds: ['yt-1'] })).map((l) => l.id)).toEqual([b.id]);
        expect((await other.listLinks({})).map((l) => l.id)).toEqual([b.id]);
        expect((await other.searchLinks('ada', 10)).map((l) => l.id)).toEqual([b.id]);
        const iterated: number[] = [];
        for await (const l of main.iterateLinks('users')) iterated.push(l.id);
        expect(iterated).toEqual([a.id]);
        expect(await other.countLinks()).toEqual([{ flow: 'users', status: 'active', count: 1 }]);

        const q = { system: 'customcrm', recordType: 'Contact', recordId: 'crm-9' } as const;
        await other.quarantine({ ...q, flow: 'users', code: 'X', property: null, reason: 'bad' });
        expect(await main.findQuarantine(q)).toBeNull();
        expect((await other.findQuarantine(q))?.attempts).toBe(1);
        expect(await main.requestRetry('all')).toBe(0);
        expect((await main.countQuarantine()).quarantined).toBe(0);

        await other.beginWrite({
          key: 'k-other',
          flow: 'users',
          op: 'create',
          targetSystem: 'customcrm',
          targetType: 'Contact',
          sourceSystem: 'youtrack',
          sourceId: 'yt-1',
          payload: {},
        });
        expect(await main.pendingWrites()).toEqual([]);
        expect((await other.pendingWrites()).map((w) => w.key)).toEqual(['k-other']);

        await other.addHistory([history({ linkId: b.id })]);
        expect(await main.listHistory({})).toEqual([]);
        expect(await other.listHistory({})).toHaveLength(1);

        const c = await other.addConflict({
          linkId: b.id,
          flow: 'users',
          property: 'Email',
          winnerSide: 'youtrack',
          winnerValue: 'x',
          loserSide: 'customcrm',
          loserValue: 'y',
          at: '2025-03-01T10:00:00.000Z',
        });
        expect(await main.listConflicts({})).toEqual([]);
        // By id, an operator's choice reaches the conflict whatever store view they hold.
        await main.resolveConflict(c.id, 'keep-winner', 'ops');
        expect(await main.pendingResolutions()).toEqual([]);
        expect((await other.pendingResolutions()).map((r) => r.id)).toEqual([c.id]);
      });
    });

    describe('two stores on one database', () => {
      it('sees the other store’s commits and never its uncommitted writes', async () => {
        const a = await fresh();
        const b = await again();
        await a.insertLink(link());
        expect((await b.findLink({ flow: 'users', ytId: 'yt-1' }))?.crmId).toBe('crm-1');

        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let written!: () => void;
        const wrote = new Promise<void>((r) => (written = r));
        const tx = a.transaction(async (t) => {
          await t.insertLink(link({ ytId: 'yt-2', crmId: 'crm-2' }));
          await t.setWatermark('wm', 'after');
          written();
          await gate;
        });
        await wrote;
        expect(await b.findLink({ flow: 'users', ytId: 'yt-2' })).toBeNull();
        expect(await b.getWatermark('wm')).toBeUndefined();
        release();
        await tx;
        expect(await b.findLink({ flow: 'users', ytId: 'yt-2' })).not.toBeNull();
        expect(await b.getWatermark('wm')).toBe('after');
      });

      it('lets both stores write at once without a busy error', async () => {
        const a = await fresh();
        const b = await again();
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? a : b).transaction(async (t) => {
              await t.insertLink(link({ ytId: `yt-${i}`, crmId: `crm-${i}` }));
              await t.setWatermark(`wm-${i}`, String(i));
            }),
          ),
        );
        expect((await a.countLinks())[0]?.count).toBe(20);
        expect(await b.getWatermark('wm-19')).toBe('19');
      });
    });
  });
}
