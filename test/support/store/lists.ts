import { describe, expect, it } from 'vitest';
import type { FlowName } from '../../../src/core/types.ts';
import type { OpenStore } from './fixtures.ts';
import type { LinkStatus, NewHistoryEntry, NewLink, StateStore } from '../../../src/store/types.ts';

/**
 * Part of the shared store suite: every list with optional filters answers each combination of
 * them like a filter over all the connection's rows. Each combination runs a different statement
 * (see src/store/statements.ts), so each is checked against the same rows, with a second connection's rows
 * beside them that must never show.
 */
export function defineListTests(fresh: OpenStore): void {
  describe('lists, every combination of filters', () => {
    it('lists links by flow, status, page start and limit', async () => {
      const store = await fresh();
      const other = store.forConnection('other');
      const all: number[] = [];
      const statusOf = new Map<number, [FlowName, LinkStatus]>();
      for (const flow of ['users', 'groups'] as const)
        for (const status of ['active', 'youtrack-deleted', 'both-deleted'] as const)
          for (const i of [1, 2]) {
            const l = await store.insertLink(newLink(flow, status, `${flow}-${status}-${i}`));
            all.push(l.id);
            statusOf.set(l.id, [flow, status]);
            await other.insertLink(newLink(flow, status, `other-${flow}-${status}-${i}`));
          }
      const cases = combinations({
        flow: [undefined, 'users', 'groups'] as const,
        status: [undefined, 'active', 'youtrack-deleted'] as const,
        afterId: [undefined, all[3]!],
        limit: [undefined, 2],
      });
      for (const query of cases) {
        const expected = all
          .filter((id) => query.flow === undefined || statusOf.get(id)![0] === query.flow)
          .filter((id) => query.status === undefined || statusOf.get(id)![1] === query.status)
          .filter((id) => id > (query.afterId ?? 0))
          .slice(0, query.limit);
        const got = (await store.listLinks(query)).map((l) => l.id);
        expect(got, JSON.stringify(query)).toEqual(expected);
      }
    });

    it('lists history by link, record, cycle, page end and limit, newest first', async () => {
      const store = await fresh();
      const other = store.forConnection('other');
      const links = [(await store.insertLink(newLink('users', 'active', 'a'))).id];
      links.push((await store.insertLink(newLink('users', 'active', 'b'))).id);
      const cycles = [await store.startCycle({ connection: 'main', kind: 'full' })];
      cycles.push(await store.startCycle({ connection: 'main', kind: 'full' }));
      const entries: NewHistoryEntry[] = [];
      for (const linkId of [...links, null])
        for (const recordId of ['r1', 'r2'])
          for (const cycleId of [...cycles, null])
            entries.push(historyEntry({ linkId, recordId, cycleId, property: `p${entries.length}` }));
      await store.addHistory(entries);
      await other.addHistory(entries.map((e) => ({ ...e, property: `other ${e.property}` })));

      const all = await store.listHistory({});
      expect(all.map((h) => h.property)).toEqual(entries.map((e) => e.property).reverse());
      expect(all.map((h) => h.id)).toEqual([...all.map((h) => h.id)].sort((x, y) => y - x));
      const cases = combinations({
        linkId: [undefined, links[0]!],
        recordId: [undefined, 'r1', 'nobody'],
        cycleId: [undefined, cycles[0]!],
        beforeId: [undefined, all[5]!.id],
        limit: [undefined, 2],
      });
      for (const query of cases) {
        const expected = all
          .filter((h) => query.linkId === undefined || h.linkId === query.linkId)
          .filter((h) => query.recordId === undefined || h.recordId === query.recordId)
          .filter((h) => query.cycleId === undefined || h.cycleId === query.cycleId)
          .filter((h) => query.beforeId === undefined || h.id < query.beforeId)
          .slice(0, query.limit)
          .map((h) => h.property);
        const got = (await store.listHistory(query)).map((h) => h.property);
        expect(got, JSON.stringify(query)).toEqual(expected);
      }
    });

    it('lists conflicts by status, link and limit, newest first', async () => {
      const store = await fresh();
      const other = store.forConnection('other');
      const links = [(await store.insertLink(newLink('users', 'active', 'a'))).id];
      links.push((await store.insertLink(newLink('users', 'active', 'b'))).id);
      const otherLink = (await other.insertLink(newLink('users', 'active', 'a'))).id;
      for (const linkId of [...links, otherLink])
        for (const property of ['Email', 'Phone', 'Name']) {
          const owner = linkId === otherLink ? other : store;
          const c = await owner.addConflict(conflict(linkId, property));
          if (property === 'Phone') await owner.resolveConflict(c.id, 'keep-winner', 'test');
        }
      const all = await store.listConflicts({});
      expect(all).toHaveLength(6);
      const cases = combinations({
        status: [undefined, 'open', 'kept'] as const,
        linkId: [undefined, links[0]!, otherLink],
        limit: [undefined, 1],
      });
      for (const query of cases) {
        const expected = all
          .filter((c) => query.status === undefined || c.status === query.status)
          .filter((c) => query.linkId === undefined || c.linkId === query.linkId)
          .slice(0, query.limit)
          .map((c) => c.id);
        const got = (await store.listConflicts(query)).map((c) => c.id);
        expect(got, JSON.stringify(query)).toEqual(expected);
      }
    });

    it('lists quarantine by status and limit, and asks a retry of one entry of its own', async () => {
      const store = await fresh();
      const other = store.forConnection('other');
      for (const recordId of ['c1', 'c2', 'c3', 'c4']) {
        await store.quarantine(quarantined(recordId));
        await other.quarantine(quarantined(recordId));
      }
      await store.releaseQuarantine({ system: 'customcrm', recordType: 'Contact', recordId: 'c2' });
      const all = await store.listQuarantine({});
      expect(all.map((q) => q.recordId)).toEqual(['c4', 'c3', 'c2', 'c1']);
      const cases = combinations({
        status: [undefined, 'quarantined', 'released'] as const,
        limit: [undefined, 1],
      });
      for (const query of cases) {
        const expected = all
          .filter((q) => query.status === undefined || q.status === query.status)
          .slice(0, query.limit)
          .map((q) => q.id);
        const got = (await store.listQuarantine(query)).map((q) => q.id);
        expect(got, JSON.stringify(query)).toEqual(expected);
      }

      const [theirs] = await other.listQuarantine({ limit: 1 });
      const byRecord = new Map(all.map((q) => [q.recordId, q.id]));
      expect(await store.requestRetry(theirs!.id)).toBe(0);
      expect(await store.requestRetry(byRecord.get('c2')!)).toBe(0);
      expect(await store.requestRetry(byRecord.get('c3')!)).toBe(1);
      expect(await store.countQuarantine()).toEqual({ quarantined: 3, retryRequested: 1 });
      expect(await other.countQuarantine()).toEqual({ quarantined: 4, retryRequested: 0 });
      expect(await other.requestRetry('all')).toBe(4);
      expect(await store.countQuarantine()).toEqual({ quarantined: 3, retryRequested: 1 });
    });
  });
}

type Combination<T extends Record<string, readonly unknown[]>> = {
  [K in keyof T]?: Exclude<T[K][number], undefined>;
};

/** Every combination of one value per filter; an undefined value leaves the filter out. */
function combinations<T extends Record<string, readonly unknown[]>>(choices: T): Combination<T>[] {
  let out: Combination<T>[] = [{}];
  for (const [key, values] of Object.entries(choices))
    out = out.flatMap((c) => values.map((v) => (v === undefined ? c : { ...c, [key]: v })));
  return out;
}

function newLink(flow: FlowName, status: LinkStatus, id: string): NewLink {
  return {
    flow,
    ytType: flow === 'users' ? 'User' : 'Group',
    ytId: `yt-${id}`,
    crmType: flow === 'users' ? 'Contact' : 'Customer',
    crmId: `crm-${id}`,
    origin: 'merged',
    status,
    base: {},
    ytHash: null,
    crmHash: null,
    crmVersion: null,
    label: id,
  };
}

function historyEntry(
  over: Pick<NewHistoryEntry, 'linkId' | 'recordId' | 'cycleId' | 'property'>,
): NewHistoryEntry {
  return {
    at: '2025-03-01T10:00:00.000Z',
    flow: 'users',
    system: 'customcrm',
    oldValue: null,
    newValue: 'x',
    source: 'youtrack',
    action: 'updated',
    note: null,
    ...over,
  };
}

function conflict(linkId: number, property: string): Parameters<StateStore['addConflict']>[0] {
  return {
    linkId,
    flow: 'users',
    property,
    winnerSide: 'youtrack',
    winnerValue: 'new',
    loserSide: 'customcrm',
    loserValue: 'old',
    at: '2025-03-01T10:00:00.000Z',
  };
}

function quarantined(recordId: string): Parameters<StateStore['quarantine']>[0] {
  return {
    system: 'customcrm',
    recordType: 'Contact',
    recordId,
    flow: 'users',
    code: 'INVALID_EMAIL',
    property: 'Email',
    reason: 'not an e-mail',
  };
}
