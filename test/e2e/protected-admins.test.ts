import { afterEach, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';

/**
 * Issue 14, point 4: YouTrack administrators (holders of Hub's System Admin role) are protected
 * without configuration; a token that may not read roles falls back to the configured list.
 */

type HubUser = { id: string; login: string; name: string; banned?: boolean };
type Contact = { Id: string; Active: boolean };

describe('administrators are protected accounts', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  const hubUser = async (world: World, login: string) =>
    (await world.hubAll<HubUser>('users', 'id,login,name,banned')).find((u) => u.login === login)!;
  const contactOf = async (world: World, login: string) => {
    const link = (await world.store.findLink({ flow: 'users', ytId: (await hubUser(world, login)).id }))!;
    return (await world.crmAll<Contact>('contacts')).find((c) => c.Id === link.crmId)!;
  };
  const makeAdmin = async (world: World, login: string) => {
    const roles = await world.hub<{ roles: Array<{ id: string; name: string }> }>(
      'GET',
      '/roles?fields=roles(id,name)',
    );
    const role = roles.roles.find((r) => r.name === 'System Admin')!;
    await world.hub('POST', `/users/${(await hubUser(world, login)).id}/projectroles`, {
      role: { id: role.id },
    });
  };
  const protectedItems = async (world: World) =>
    (await world.store.listReviewItems({ status: 'open' })).filter((i) => i.code === 'PROTECTED_ACCOUNT');

  it('a CRM edit banning and renaming an administrator becomes a review item; YouTrack is unchanged', async () => {
    w = await World.start();
    await makeAdmin(w, 'aisha.okafor');
    expect((await w.sync()).status).toBe('ok');
    const aisha = await contactOf(w, 'aisha.okafor');
    const knut = await contactOf(w, 'knut.johannessen');
    await w.crmApi('PATCH', `/contacts/${aisha.Id}`, { Active: false, FirstName: 'Eve' });
    await w.crmApi('PATCH', `/contacts/${knut.Id}`, { Active: false });
    expect((await w.sync()).status).toBe('ok');

    const admin = await hubUser(w, 'aisha.okafor');
    expect(admin.banned ?? false).toBe(false);
    expect(admin.name).toBe('Aisha Okafor');
    const items = await protectedItems(w);
    expect(items).toHaveLength(1);
    expect(items[0]!.records[0]).toMatchObject({ system: 'youtrack', id: admin.id });
    expect(items[0]!.changes.map((c) => c.row).sort()).toEqual(['banned', 'fullName']);
    // Someone without the role is not protected: the CRM's ban is carried out as usual.
    expect((await hubUser(w, 'knut.johannessen')).banned).toBe(true);
  });

  it('a token that may not read roles: warned once, the configured list still protects', async () => {
    w = await World.start({
      youtrack: { rolesReadable: false },
      connection: { sync: { protectedAccounts: { logins: ['knut.johannessen'] } } },
    });
    expect((await w.sync()).status).toBe('ok');
    await w.crmApi('PATCH', `/contacts/${(await contactOf(w, 'knut.johannessen')).Id}`, { Active: false });
    expect((await w.sync()).status).toBe('ok');
    expect((await w.sync()).status).toBe('ok');
    expect((await hubUser(w, 'knut.johannessen')).banned ?? false).toBe(false);
    expect((await protectedItems(w)).map((i) => i.records[0]?.label)).toEqual([
      'Knut Johannessen <knut.johannessen@nordlys.example>',
    ]);
    const warnings = w.logs.records().filter((r) => r['code'] === 'ADMINS_UNKNOWN');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!['msg'] ?? warnings[0]!['message'])).toMatch(/Read Role/);
  });
});
