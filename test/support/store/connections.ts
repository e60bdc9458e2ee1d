import { describe, expect, it } from 'vitest';
import type { StateStore } from '../../../src/store/types.ts';
import { history, journalEntry, link, type OpenStore } from './fixtures.ts';

/** Part of the shared store suite: connections kept apart, and two stores on one database. */
export function defineConnectionTests(fresh: OpenStore, again: () => Promise<StateStore>): void {
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

      await other.beginWrite(journalEntry({ key: 'k-other', payload: {} }));
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
}
