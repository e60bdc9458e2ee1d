import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/clock.ts';
import { T0, expectCode, journalEntry, type OpenStore } from './fixtures.ts';

/** Part of the shared store suite: the journal, watermarks and cycles. */
export function defineJournalTests(fresh: OpenStore): void {
  describe('journal', () => {
    const write = journalEntry();

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
}
