import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/clock.ts';
import type { StateStore } from '../../../src/store/types.ts';
import { T0, link, EVERY_KIND, expectCode, type OpenStore } from './fixtures.ts';

/** Part of the shared store suite: the links, and the schema they live in. */
export function defineLinkTests(fresh: OpenStore, again: () => Promise<StateStore>): void {
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
      const ids = async (text: string, limit = 10) => (await store.searchLinks(text, limit)).map((l) => l.id);
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
      for await (const _ of store.iterateLinks('organizations')) throw new Error('no organizations expected');
    });
  });
}
