import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startYouTrackEmulator } from '../../src/emulators/youtrack/index.ts';
import { YT_TOKEN } from '../helpers/world.ts';
import { emailOf, expectNoDuplicates, Rig } from './rig.ts';
import { startFeathers, startJsonServer } from './servers.ts';

/**
 * The whole scenario of issue 13 against generic REST servers installed from npm (integer ids,
 * no auth, no ETag, no idempotency keys, no external references, no webhooks, no modifiedSince),
 * each described only by a profile: a first sync with people already in the CRM, edits both ways,
 * a company change made in the CRM, a second sync that writes nothing, a new company that becomes
 * a YouTrack group; then a 500-user first sync killed with SIGKILL at several points, after which
 * nothing is duplicated and nothing is left pending.
 */

describe.each([
  ['json-server', startJsonServer],
  ['feathers', startFeathers],
] as const)('a real REST server from npm: %s', (_name, start) => {
  describe('the scenario of a first sync, edits both ways and a second sync', () => {
    let rig: Rig;
    beforeAll(async () => {
      rig = new Rig(await startYouTrackEmulator({ seed: 'demo', token: YT_TOKEN }), await start());
    });
    afterAll(() => rig.close());

    it('links people already there, keeps integer ids, carries edits and a company change, then writes 0', async () => {
      const w = rig.crm.wire;
      const users = await rig.users();
      const withEmail = users.filter((u) => emailOf(u));
      // A company only the CRM has, and three people already in the CRM (one e-mail in other case).
      const northwind = await rig.crm.create('customers', { [w.name]: 'Northwind Real Co' });
      const existing = withEmail.slice(0, 3);
      for (const [i, u] of existing.entries())
        await rig.crm.create('contacts', {
          [w.email]: i === 1 ? emailOf(u)!.toUpperCase() : emailOf(u),
          [w.lastName]: 'Old',
          [w.company]: northwind.id,
        });

      const first = await rig.sync();
      expect(first.code, first.stderr).toBe(0);

      let people = await expectNoDuplicates(rig);
      expect(people).toHaveLength(users.length);
      for (const u of existing)
        expect(
          people.filter((p) => String(p[w.email]).toLowerCase() === emailOf(u)!.toLowerCase()),
          `one contact for ${emailOf(u)}`,
        ).toHaveLength(1);
      // References are written back in the CRM's own type: integers, never "1".
      const companies = people.map((p) => p[w.company]).filter((c) => c !== null && c !== undefined);
      expect(companies.length).toBeGreaterThan(0);
      for (const c of companies) expect(typeof c).toBe('number');
      // Created contacts carry the YouTrack id in the reference property.
      const created = people.filter((p) => p[w.reference] !== undefined);
      expect(created.length).toBe(users.length - existing.length);

      // The company only the CRM had became a YouTrack group.
      const groups = await rig.hub<{ usergroups: Array<{ id: string; name: string }> }>(
        'GET',
        '/usergroups?$top=-1&fields=id,name',
      );
      const group = groups.usergroups.find((g) => g.name === 'Northwind Real Co');
      expect(group, 'a YouTrack group for the CRM-only company').toBeDefined();

      // Edits both ways, and a company change made in the CRM.
      const links = await rig.withStore((s) => s.listLinks({ flow: 'users' }));
      const [a, b, c] = [links[3]!, links[4]!, links[5]!];
      await rig.crm.patch('contacts', Number(a.crmId), { [w.lastName]: 'Edited-in-CRM' });
      await rig.hub('POST', `/users/${b.ytId}`, { name: 'Renamed Inyoutrack' });
      await rig.crm.patch('contacts', Number(c.crmId), { [w.company]: northwind.id });

      const second = await rig.sync();
      expect(second.code, second.stderr).toBe(0);
      const after = await rig.users();
      expect(after.find((u) => u.id === a.ytId)!.name.endsWith('Edited-in-CRM')).toBe(true);
      people = await expectNoDuplicates(rig);
      const bContact = people.find((p) => String(p.id) === b.crmId)!;
      expect(bContact[w.lastName]).toBe('Inyoutrack');
      expect(after.find((u) => u.id === c.ytId)!.groups!.map((g) => g.id)).toContain(group!.id);
      for (const p of people) if (p[w.company] != null) expect(typeof p[w.company]).toBe('number');

      const third = await rig.sync();
      expect(third.code, third.stderr).toBe(0);
      expect((JSON.parse(third.stdout) as { writes: number }).writes).toBe(0);
      expect(await rig.withStore((s) => s.pendingWrites())).toHaveLength(0);
    }, 240_000);
  });

  describe('kill -9 during a 500-user first sync', () => {
    let rig: Rig;
    beforeAll(async () => {
      rig = new Rig(
        await startYouTrackEmulator({
          seed: 'empty',
          users: 500,
          groups: 8,
          orgs: 12,
          randomSeed: 13,
          token: YT_TOKEN,
        }),
        await start(),
      );
    });
    afterAll(() => rig.close());

    it('resumes after every kill with 0 duplicates and 0 stuck writes', async () => {
      const w = rig.crm.wire;
      const users = await rig.users();
      // People already in the CRM, for users whose e-mail is theirs alone: a shared e-mail links
      // nobody by e-mail (it goes to review, docs/how-sync-decides.md), so its contact would stay apart.
      const count = new Map<string, number>();
      for (const u of users) {
        const e = emailOf(u)?.toLowerCase();
        if (e) count.set(e, (count.get(e) ?? 0) + 1);
      }
      const unique = (u: (typeof users)[number]) => count.get(emailOf(u)?.toLowerCase() ?? '') === 1;
      for (const u of users.filter((x, i) => unique(x) && i % 10 === 3))
        await rig.crm.create('contacts', { [w.email]: emailOf(u), [w.lastName]: 'Pre-existing' });
      const kills: string[] = [];
      for (const point of [
        'before-create:3',
        'after-create:40',
        'before-commit:1',
        'after-create:150',
        'after-commit:2',
        'after-create:330',
      ]) {
        const r = await rig.sync({ TANDEM_FAILPOINT: point });
        if (r.signal === 'SIGKILL') kills.push(point);
        else expect(r.code, `${point}: ${r.stderr}`).toBe(0);
      }
      expect(kills.length, `killed at ${kills.join(' ')}`).toBeGreaterThanOrEqual(4);

      const last = await rig.sync();
      expect(last.code, last.stderr).toBe(0);
      expect(await rig.withStore((s) => s.pendingWrites())).toHaveLength(0);
      const people = await expectNoDuplicates(rig);
      expect(people).toHaveLength(users.length);

      const again = await rig.sync();
      expect(again.code, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout) as { writes: number }).writes).toBe(0);
    }, 480_000);
  });
});
