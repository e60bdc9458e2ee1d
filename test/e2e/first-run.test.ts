import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import type { Contact, Customer, HubGroup, HubUser } from '../helpers/wire.ts';

const norm = (e: string | null | undefined) => (e ?? '').trim().toLowerCase();

describe('first run on the demo data (issue 4, behaviours 1 and 2)', () => {
  let w: World;
  let before: { contacts: Contact[]; customers: Customer[] };
  let first: Awaited<ReturnType<World['sync']>>;

  beforeAll(async () => {
    w = await World.start();
    before = {
      contacts: await w.crmAll<Contact>('contacts'),
      customers: await w.crmAll<Customer>('customers'),
    };
    first = await w.sync();
  });
  afterAll(() => w.close());

  it('finishes the cycle', () => {
    expect(first.status).toBe('ok');
    expect(first.writes).toBeGreaterThan(0);
  });

  it('gives every Organization and every non-built-in group exactly one Customer', async () => {
    const customers = await w.crmAll<Customer>('customers');
    const byId = new Map(customers.map((c) => [c.Id, c]));
    const orgs = await w.hubAll<HubGroup>('organizations', 'id,name');
    const groups = (
      await w.hubAll<HubGroup & { id: string }>('usergroups', 'id,name,allUsers,registeredUsers')
    ).filter((g) => !g.allUsers && !g.registeredUsers && !g.id.endsWith('_team'));
    for (const [flow, records] of [
      ['organizations', orgs],
      ['groups', groups],
    ] as const) {
      for (const r of records) {
        const link = await w.store.findLink({ flow, ytId: r.id });
        expect(link, `${flow} ${r.name} has a link`).not.toBeNull();
        expect(byId.get(link!.crmId)?.Name).toBe(r.name);
      }
    }
    // No Customer is linked twice.
    const linkedCrm = [
      ...(await w.store.listLinks({ flow: 'organizations' })),
      ...(await w.store.listLinks({ flow: 'groups' })),
    ].map((l) => l.crmId);
    expect(new Set(linkedCrm).size).toBe(linkedCrm.length);
  });

  it('gives every user one Contact, links shared e-mails instead of duplicating, and sets CustomerId', async () => {
    const users = (
      await w.hubAll<HubUser & { guest?: boolean }>('users', 'id,login,name,guest,profile(email(email))')
    ).filter((u) => !u.guest);
    const contacts = await w.crmAll<Contact>('contacts');
    const contactById = new Map(contacts.map((c) => [c.Id, c]));
    const beforeByEmail = new Map<string, Contact[]>();
    for (const c of before.contacts)
      beforeByEmail.set(norm(c.Email), [...(beforeByEmail.get(norm(c.Email)) ?? []), c]);
    const ytEmailCount = new Map<string, number>();
    for (const u of users)
      ytEmailCount.set(
        norm(u.profile?.email?.email),
        (ytEmailCount.get(norm(u.profile?.email?.email)) ?? 0) + 1,
      );

    let merged = 0;
    for (const u of users) {
      const link = await w.store.findLink({ flow: 'users', ytId: u.id });
      expect(link, `user ${u.login} is linked`).not.toBeNull();
      const contact = contactById.get(link!.crmId);
      expect(contact, `contact of ${u.login} exists`).toBeDefined();
      const email = norm(u.profile?.email?.email);
      const candidates = beforeByEmail.get(email) ?? [];
      if (email && candidates.length === 1 && ytEmailCount.get(email) === 1) {
        expect(link!.crmId).toBe(candidates[0]!.Id);
        expect(link!.origin).toBe('merged');
        merged++;
      }
      expect(`${contact!.FirstName ?? ''} ${contact!.LastName ?? ''}`.trim()).toBe(u.name);
    }
    expect(merged).toBeGreaterThanOrEqual(4);
    // Nothing was created twice: contacts = the ones there before + one per user that was not merged.
    const userLinks = await w.store.listLinks({ flow: 'users' });
    expect(contacts.length).toBe(
      before.contacts.length + userLinks.filter((l) => l.origin === 'created-in-customcrm').length,
    );
    // A user in an organization gets that organization's Customer.
    const jiri = users.find((u) => u.login === 'jiri.novak')!;
    const jiriContact = contactById.get((await w.store.findLink({ flow: 'users', ytId: jiri.id }))!.crmId)!;
    const orgs = await w.hubAll<HubGroup>('organizations', 'id,name');
    const zel = orgs.find((o) => o.name.startsWith('Železná'))!;
    expect(jiriContact.CustomerId).toBe(
      (await w.store.findLink({ flow: 'organizations', ytId: zel.id }))!.crmId,
    );
    // A user in groups only gets a group's Customer.
    const chen = users.find((u) => u.login === 'chen.wei')!;
    const chenContact = contactById.get((await w.store.findLink({ flow: 'users', ytId: chen.id }))!.crmId)!;
    expect(chenContact.CustomerId).not.toBeNull();
  });

  it('reports records that share an e-mail within one system and links none of them to one counterpart', async () => {
    const text = w.logs.lines.join('\n');
    expect(text).toMatch(/DUPLICATE_EMAIL/);
    expect(text.toLowerCase()).toContain('erik.lund@example.com');
    expect(text.toLowerCase()).toContain('jane.doe@acme.example');
    const users = await w.hubAll<HubUser>('users', 'id,login');
    const eriks = users.filter((u) => u.login.startsWith('erik.lund'));
    const crmIds = await Promise.all(
      eriks.map(async (u) => (await w.store.findLink({ flow: 'users', ytId: u.id }))?.crmId),
    );
    expect(new Set(crmIds.filter(Boolean)).size).toBe(crmIds.filter(Boolean).length);
  });

  it('makes zero writes on a second run with no edits', async () => {
    const second = await w.sync();
    expect(second.status).toBe('ok');
    expect(second.writes).toBe(0);
  });

  it('leaves Customer properties without a YouTrack counterpart alone', async () => {
    const customers = await w.crmAll<Customer & { Phone: string | null; City: string | null }>('customers');
    const nordlys = customers.filter((c) => c.Name === 'Nordlys Shipping AS' && c.City === 'Tromsø');
    expect(nordlys).toHaveLength(1);
    expect(nordlys[0]!.Phone).toBe('+47 77 00 00 00');
  });
});
