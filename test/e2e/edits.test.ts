import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import { syncedWorld } from '../helpers/synced-world.ts';
import type { Contact, Customer, HubUser, Named } from '../helpers/wire.ts';

async function linked(w: World, flow: 'organizations' | 'groups' | 'users', ytId: string): Promise<string> {
  const link = await w.store.findLink({ flow, ytId });
  if (!link) throw new Error(`no link for ${flow} ${ytId}`);
  return link.crmId;
}

/** The organization whose name starts with `prefix`, and the Customer it is linked to. */
async function linkedOrganization(w: World, prefix: string): Promise<{ org: Named; crmId: string }> {
  const org = (await w.hubAll<Named>('organizations', 'id,name')).find((o) => o.name.startsWith(prefix))!;
  return { org, crmId: await linked(w, 'organizations', org.id) };
}

describe('edits travel both ways, and nothing echoes (issue 4, behaviours 3 and 8)', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.start();
    const first = await w.sync();
    expect(first.status).toBe('ok');
  });
  afterAll(() => w.close());

  it('carries every mapped YouTrack edit to Customcrm, then makes zero writes', async () => {
    const groups = await w.hubAll<Named>('usergroups', 'id,name');
    const support = groups.find((g) => g.name === 'Support')!;
    const orgs = await w.hubAll<Named>('organizations', 'id,name');
    const cafe = orgs.find((o) => o.name.startsWith('Café'))!;
    const users = await w.hubAll<HubUser>('users', 'id,login,name');
    const zoe = users.find((u) => u.login === 'zoe.oconnor')!;
    const chen = users.find((u) => u.login === 'chen.wei')!;

    const cafeCustomerBefore = await w.crmApi<Customer>(
      'GET',
      `/customers/${await linked(w, 'organizations', cafe.id)}`,
    );
    await w.hub('POST', `/usergroups/${support.id}`, { name: 'Customer Support' });
    await w.hub('POST', `/usergroups/${support.id}`, { description: 'Tier 1 and tier 2' });
    await w.hub('POST', `/organizations/${cafe.id}`, { description: 'Roasters since 1998' });
    await w.hub('POST', `/users/${zoe.id}`, { name: 'Zoë Anne O’Connor-Walsh' });
    await w.hub('POST', `/users/${zoe.id}`, {
      profile: { email: { type: 'EmailJSON', email: 'zoe@new.example' } },
    });
    await w.hub('POST', `/users/${chen.id}`, { banned: true, banReason: 'left the company' });

    const r = await w.sync();
    expect(r.status).toBe('ok');
    expect(r.stats.groups.customcrm.updated).toBe(1);
    expect(r.stats.organizations.customcrm.updated).toBe(1);
    expect(r.stats.users.customcrm.updated).toBe(2);
    expect(
      r.stats.users.youtrack.updated +
        r.stats.groups.youtrack.updated +
        r.stats.organizations.youtrack.updated,
    ).toBe(0);

    const supportCustomer = await w.crmApi<Customer>(
      'GET',
      `/customers/${await linked(w, 'groups', support.id)}`,
    );
    expect(supportCustomer.Name).toBe('Customer Support');
    expect(supportCustomer.Description).toBe('Tier 1 and tier 2');
    const cafeCustomer = await w.crmApi<Customer>(
      'GET',
      `/customers/${await linked(w, 'organizations', cafe.id)}`,
    );
    expect(cafeCustomer.Description).toBe('Roasters since 1998');
    expect(cafeCustomer.Name).toBe(cafeCustomerBefore.Name);
    expect(cafeCustomer.Version).toBe(cafeCustomerBefore.Version + 1);
    const zoeContact = await w.crmApi<Contact>('GET', `/contacts/${await linked(w, 'users', zoe.id)}`);
    expect(zoeContact.FirstName).toBe('Zoë');
    expect(zoeContact.LastName).toBe('Anne O’Connor-Walsh');
    expect(zoeContact.Email).toBe('zoe@new.example');
    const chenContact = await w.crmApi<Contact>('GET', `/contacts/${await linked(w, 'users', chen.id)}`);
    expect(chenContact.Active).toBe(false);

    expect((await w.sync()).writes).toBe(0);
  });

  it('carries every mapped Customcrm edit to YouTrack, then makes zero writes', async () => {
    const groups = await w.hubAll<Named>('usergroups', 'id,name,description');
    const backend = groups.find((g) => g.name === 'Backend')!;
    const orgs = await w.hubAll<Named>('organizations', 'id,name,description');
    const nordlys = orgs.find((o) => o.name === 'Nordlys Shipping AS')!;
    const users = await w.hubAll<HubUser>('users', 'id,login,name');
    const lukas = users.find((u) => u.login === 'lukas.muller')!;
    const pekka = users.find((u) => u.login === 'pekka.virtanen')!;

    await w.crmApi('PATCH', `/customers/${await linked(w, 'groups', backend.id)}`, {
      Name: 'Backend Platform',
      Description: 'APIs, storage, queues',
    });
    await w.crmApi('PATCH', `/customers/${await linked(w, 'organizations', nordlys.id)}`, {
      Name: 'Nordlys Shipping ASA',
    });
    await w.crmApi('PATCH', `/contacts/${await linked(w, 'users', lukas.id)}`, {
      FirstName: 'Lukas Johannes',
      LastName: 'Müller-Lüdenscheidt',
      Email: 'lukas@mueller.example',
    });
    await w.crmApi('PATCH', `/contacts/${await linked(w, 'users', pekka.id)}`, { Active: true });

    const r = await w.sync();
    expect(r.status).toBe('ok');
    expect(
      r.stats.users.customcrm.updated +
        r.stats.groups.customcrm.updated +
        r.stats.organizations.customcrm.updated,
    ).toBe(0);

    const after = await w.hubAll<Named>('usergroups', 'id,name,description');
    expect(after.find((g) => g.id === backend.id)).toMatchObject({
      name: 'Backend Platform',
      description: 'APIs, storage, queues',
    });
    const orgAfter = await w.hubAll<Named>('organizations', 'id,name');
    expect(orgAfter.find((o) => o.id === nordlys.id)!.name).toBe('Nordlys Shipping ASA');
    const lukasAfter = await w.hub<HubUser>('GET', `/users/${lukas.id}?fields=name,profile(email(email))`);
    expect(lukasAfter.name).toBe('Lukas Johannes Müller-Lüdenscheidt');
    expect(lukasAfter.profile?.email?.email).toBe('lukas@mueller.example');
    const pekkaAfter = await w.hub<HubUser>('GET', `/users/${pekka.id}?fields=banned`);
    expect(pekkaAfter.banned).toBe(false);

    expect((await w.sync()).writes).toBe(0);
  });

  it('sends only the changed property and keeps CRM-only properties', async () => {
    const { org: nordlys, crmId } = await linkedOrganization(w, 'Nordlys');
    await w.crmApi('PATCH', `/customers/${crmId}`, { Phone: '+47 11 22 33 44', City: 'Bodø' });
    expect((await w.sync()).writes).toBe(0);
    await w.hub('POST', `/organizations/${nordlys.id}`, { description: 'Hurtigruten partner' });
    const r = await w.sync();
    expect(r.writes).toBe(1);
    const c = await w.crmApi<Customer & { City: string }>('GET', `/customers/${crmId}`);
    expect(c).toMatchObject({ Phone: '+47 11 22 33 44', City: 'Bodø', Description: 'Hurtigruten partner' });
    const history = await w.store.listHistory({
      linkId: (await w.store.findLink({ flow: 'organizations', ytId: nordlys.id }))!.id,
    });
    const last = history.filter((h) => h.cycleId === r.cycleId);
    expect(last.map((h) => h.property)).toEqual(['description']);
  });
});

describe('concurrent edits (issue 4, behaviour 4)', () => {
  const w = syncedWorld();

  it('keeps both edits when different properties changed on the two sides', async () => {
    const users = await w.hubAll<HubUser>('users', 'id,login');
    const hana = users.find((u) => u.login === 'hana.tanaka')!;
    const crmId = await linked(w, 'users', hana.id);
    await w.hub('POST', `/users/${hana.id}`, { name: 'Hana Tanaka-Berg' });
    await w.crmApi('PATCH', `/contacts/${crmId}`, { Email: 'hana@tanaka.example' });
    await w.sync();
    const yt = await w.hub<HubUser>('GET', `/users/${hana.id}?fields=name,profile(email(email))`);
    const crm = await w.crmApi<Contact>('GET', `/contacts/${crmId}`);
    expect(yt.name).toBe('Hana Tanaka-Berg');
    expect(yt.profile?.email?.email).toBe('hana@tanaka.example');
    expect(crm.LastName).toBe('Tanaka-Berg');
    expect(crm.Email).toBe('hana@tanaka.example');
    expect((await w.sync()).writes).toBe(0);
  });

  it('resolves the same property changed on both sides, and keeps the loser in history as a conflict', async () => {
    const { org: zel, crmId } = await linkedOrganization(w, 'Železná');
    await w.hub('POST', `/organizations/${zel.id}`, { description: 'from YouTrack' });
    await w.crmApi('PATCH', `/customers/${crmId}`, { Description: 'from Customcrm' });
    const r = await w.sync();
    const conflicts = r.stats.organizations.youtrack.conflicts + r.stats.organizations.customcrm.conflicts;
    expect(conflicts).toBe(1);
    const link = (await w.store.findLink({ flow: 'organizations', ytId: zel.id }))!;
    const [conflict] = await w.store.listConflicts({ linkId: link.id });
    expect(conflict).toBeDefined();
    const values = [conflict!.winnerValue, conflict!.loserValue].sort();
    expect(values).toEqual(['from Customcrm', 'from YouTrack']);
    const yt = (await w.hubAll<Named>('organizations', 'id,description')).find((o) => o.id === zel.id)!;
    const crm = await w.crmApi<Customer>('GET', `/customers/${crmId}`);
    expect(yt.description).toBe(conflict!.winnerValue);
    expect(crm.Description).toBe(conflict!.winnerValue);
    const history = await w.store.listHistory({ linkId: link.id });
    expect(
      history.some(
        (h) =>
          h.action === 'conflict' &&
          (h.oldValue === conflict!.loserValue || h.newValue === conflict!.loserValue),
      ),
    ).toBe(true);
    expect((await w.sync()).writes).toBe(0);
  });

  it('does not let an empty value overwrite a filled one unless it was emptied on purpose', async () => {
    const { org: cafe, crmId } = await linkedOrganization(w, 'Café');
    await w.hub('POST', `/organizations/${cafe.id}`, { description: '' });
    await w.sync();
    const crm = await w.crmApi<Customer>('GET', `/customers/${crmId}`);
    // The description was explicitly emptied in YouTrack (it had a synchronized value), so it goes.
    expect(crm.Description ?? '').toBe('');
    expect((await w.sync()).writes).toBe(0);
  });
});
