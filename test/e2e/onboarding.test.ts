import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeKey } from '../../src/core/linking.ts';
import { World } from '../helpers/world.ts';
import type { Customer, HubGroup } from '../helpers/wire.ts';

/** Issue 14, point 1: with the defaults `tandem init` writes, onboarding duplicates no company. */

const twice = (names: readonly string[]) => {
  const seen = new Map<string, number>();
  for (const n of names) seen.set(normalizeKey(n), (seen.get(normalizeKey(n)) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1).map(([n]) => n);
};

async function companyNames(w: World) {
  const customers = await w.crmAll<Customer>('customers');
  const orgs = await w.hubAll<HubGroup>('organizations', 'id,name');
  const groups = await w.hubAll<HubGroup>('usergroups', 'id,name');
  return { crm: customers.map((c) => c.Name), yt: [...orgs, ...groups].map((g) => g.name), customers, orgs };
}

describe('onboarding the demo data with the default settings (issue 14)', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.start();
  });
  afterAll(() => w.close());

  it('links a company that exists on both sides instead of creating it again', async () => {
    const first = await w.sync();
    expect(first.status).toBe('ok');
    await w.sync();
    const { crm, yt, customers, orgs } = await companyNames(w);
    expect(twice(crm), 'Customer names that appear twice').toEqual([]);
    expect(twice(yt), 'YouTrack organization/group names that appear twice').toEqual([]);
    const nordlysOrg = orgs.find((o) => o.name === 'Nordlys Shipping AS')!;
    const nordlys = customers.filter((c) => c.Name === 'Nordlys Shipping AS');
    expect(nordlys).toHaveLength(1);
    const link = await w.store.findLink({ flow: 'organizations', ytId: nordlysOrg.id });
    expect(link?.crmId).toBe(nordlys[0]!.Id);
    expect(await w.store.findLink({ flow: 'groups', crmId: nordlys[0]!.Id })).toBeNull();
  });

  it('a third cycle writes nothing', async () => {
    expect((await w.sync()).writes).toBe(0);
  });
});

describe('a company name with more than one candidate (issue 14)', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.start();
    // A group with the name of a Customer that an organization also has, and a second Customer of a name.
    await w.hub('POST', '/usergroups?fields=id,name', { name: 'Nordlys Shipping AS' });
    await w.crmApi('POST', '/customers', { Name: 'ACME Widgets Ltd' });
    await w.crmApi('POST', '/customers', { Name: 'acme  widgets ltd' });
  });
  afterAll(() => w.close());

  it('is neither linked nor created, and waits in review', async () => {
    const before = await companyNames(w);
    const plan = await w.sync({ dryRun: true });
    const planned = (plan.plans ?? []).flatMap((p) => p.actions);
    // (The demo data's users that share an e-mail are DUPLICATE_EMAIL items of the users flow.)
    const codes = planned.flatMap((a) => (a.kind === 'review' && a.flow !== 'users' ? [a.code] : []));
    expect(codes.sort()).toEqual(['AMBIGUOUS_MATCH', 'DUPLICATE_NAME']);
    expect((await w.sync()).status).toBe('ok');
    const after = await companyNames(w);
    expect(after.crm.filter((n) => normalizeKey(n) === 'nordlys shipping as')).toHaveLength(1);
    expect(after.yt.filter((n) => normalizeKey(n) === 'nordlys shipping as')).toHaveLength(2);
    expect(after.yt.filter((n) => normalizeKey(n).startsWith('acme widgets'))).toEqual([]);
    expect(before.crm.length).toBeLessThan(after.crm.length);
    const items = (await w.store.listReviewItems({ status: 'open' })).filter((i) => i.flow !== 'users');
    expect(items.map((i) => i.code).sort()).toEqual(['AMBIGUOUS_MATCH', 'DUPLICATE_NAME']);
    const nordlys = items.find((i) => i.code === 'AMBIGUOUS_MATCH')!;
    expect(nordlys.records.map((r) => r.type).sort()).toEqual(['Customer', 'Group', 'Organization']);
  });
});

describe('onboarding a generated directory whose companies partly exist in the CRM (issue 14)', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.start({
      youtrack: { seed: 'empty', users: 40, groups: 5, orgs: 6, randomSeed: 14 },
      customcrm: { seed: 'empty' },
    });
    // Every other organization and group already has its Customer, typed differently.
    const orgs = await w.hubAll<HubGroup>('organizations', 'id,name');
    const groups = (await w.hubAll<HubGroup>('usergroups', 'id,name,allUsers,registeredUsers')).filter(
      (g) => !g.allUsers && !g.registeredUsers && !g.id.endsWith('_team'),
    );
    for (const [i, g] of [...orgs, ...groups].entries())
      if (i % 2 === 0) await w.crmApi('POST', '/customers', { Name: `  ${g.name.toUpperCase()} ` });
  });
  afterAll(() => w.close());

  it('makes no company name appear twice on either side, and a second cycle writes nothing', async () => {
    expect((await w.sync()).status).toBe('ok');
    const { crm, yt } = await companyNames(w);
    expect(twice(crm)).toEqual([]);
    expect(twice(yt)).toEqual([]);
    expect((await w.sync()).writes).toBe(0);
  });
});
