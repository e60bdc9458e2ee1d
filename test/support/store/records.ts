import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/clock.ts';
import { T0, link, history, EVERY_KIND, expectCode, type OpenStore } from './fixtures.ts';

/** Part of the shared store suite: history, conflicts and quarantine. */
export function defineRecordTests(fresh: OpenStore): void {
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
}
