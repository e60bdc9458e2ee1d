import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import type { Contact, HubUser } from '../helpers/wire.ts';

/** Issue 14, point 4: a CRM edit never locks out a protected YouTrack account. */

describe('protected accounts', () => {
  let w: World;
  const hubUser = async (login: string) =>
    (await w.hubAll<HubUser>('users', 'id,login,name,banned,profile(email(email))')).find(
      (u) => u.login === login,
    )!;
  const contactOf = async (login: string) => {
    const u = await hubUser(login);
    const link = (await w.store.findLink({ flow: 'users', ytId: u.id }))!;
    return (await w.crmAll<Contact>('contacts')).find((c) => c.Id === link.crmId)!;
  };

  const openProtected = async () =>
    (await w.store.listReviewItems({ status: 'open' })).filter((i) => i.code === 'PROTECTED_ACCOUNT');

  beforeAll(async () => {
    w = await World.start({ connection: { sync: { protectedAccounts: { logins: ['knut.johannessen'] } } } });
    expect((await w.sync()).status).toBe('ok');
  });
  afterAll(() => w.close());

  it("a CRM edit banning the token's own user ends in review and YouTrack is unchanged", async () => {
    const admin = await contactOf('admin');
    await w.crmApi('PATCH', `/contacts/${admin.Id}`, { Active: false, Email: 'someone@evil.example' });
    const plan = await w.sync({ dryRun: true });
    const planned = (plan.plans ?? []).flatMap((p) => p.actions);
    expect(planned.filter((a) => a.kind === 'review' && a.code === 'PROTECTED_ACCOUNT')).toHaveLength(1);
    expect((await w.sync()).status).toBe('ok');
    expect((await w.sync()).status).toBe('ok');
    const after = await hubUser('admin');
    expect(after.banned ?? false).toBe(false);
    expect(after.profile?.email?.email).toBe('admin@example.com');
    const items = await openProtected();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ code: 'PROTECTED_ACCOUNT', flow: 'users' });
    expect(items[0]!.changes.map((c) => c.row).sort()).toEqual(['banned', 'email']);
  });

  it('rejecting the change writes the YouTrack values back to the CRM', async () => {
    const [item] = await openProtected();
    await w.store.decideReviewItem(item!.id, { action: 'reject' }, 'test');
    expect((await w.sync()).status).toBe('ok');
    const admin = await contactOf('admin');
    expect(admin.Active).toBe(true);
    expect(admin.Email?.toLowerCase()).toBe('admin@example.com');
    expect((await w.store.getReviewItem(item!.id))?.status).toBe('done');
    expect((await w.sync()).writes).toBe(0);
  });

  it('approving a change to a configured protected login writes it to YouTrack', async () => {
    const knut = await contactOf('knut.johannessen');
    await w.crmApi('PATCH', `/contacts/${knut.Id}`, { FirstName: 'Knud' });
    await w.sync();
    expect((await hubUser('knut.johannessen')).name).toBe('Knut Johannessen');
    const [item] = await openProtected();
    expect(item?.code).toBe('PROTECTED_ACCOUNT');
    await w.store.decideReviewItem(item!.id, { action: 'approve' }, 'test');
    await w.sync();
    expect((await hubUser('knut.johannessen')).name).toBe('Knud Johannessen');
    expect(await openProtected()).toEqual([]);
  });
});
