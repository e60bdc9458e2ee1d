import { expect } from 'vitest';
import type { FlowName } from '../../src/core/types.ts';
import type { World } from '../helpers/world.ts';
import type { Contact, Customer, HubUser, Named } from '../helpers/wire.ts';

export type { Contact, Customer, HubUser } from '../helpers/wire.ts';
export type HubGroup = Named;

/** Everything both systems hold in the synced datatypes, read over their own APIs. */
export async function readBothSides(w: World) {
  const users = (await w.hubAll<HubUser>('users', 'id,login,name,guest,banned,profile(email(email))')).filter(
    (u) => !u.guest,
  );
  const groups = (
    await w.hubAll<HubGroup & { allUsers?: boolean; registeredUsers?: boolean }>(
      'usergroups',
      'id,name,description,allUsers,registeredUsers',
    )
  ).filter((g) => !g.allUsers && !g.registeredUsers && !g.id.endsWith('_team'));
  const organizations = await w.hubAll<HubGroup>('organizations', 'id,name,description');
  const contacts = await w.crmAll<Contact>('contacts');
  const customers = await w.crmAll<Customer>('customers');
  return { users, groups, organizations, contacts, customers };
}
export type Sides = Awaited<ReturnType<typeof readBothSides>>;

export function recordCount(s: Sides): { youtrack: number; customcrm: number } {
  return {
    youtrack: s.users.length + s.groups.length + s.organizations.length,
    customcrm: s.contacts.length + s.customers.length,
  };
}

/**
 * Checks that every YouTrack record has exactly one active link to an existing counterpart, that no
 * record is linked twice, and counts duplicates: records on either side that neither existed
 * before, nor were made by the test, nor are accounted for by a link the engine created.
 */
export async function checkLinks(
  w: World,
  before: { youtrack: number; customcrm: number },
  madeByTest: { youtrack: number; customcrm: number } = { youtrack: 0, customcrm: 0 },
): Promise<{ sides: Sides; duplicates: number; links: number }> {
  const sides = await readBothSides(w);
  const yt: Record<FlowName, Set<string>> = {
    users: new Set(sides.users.map((u) => u.id)),
    groups: new Set(sides.groups.map((g) => g.id)),
    organizations: new Set(sides.organizations.map((o) => o.id)),
  };
  const crm: Record<FlowName, Set<string>> = {
    users: new Set(sides.contacts.map((c) => c.Id)),
    groups: new Set(sides.customers.map((c) => c.Id)),
    organizations: new Set(sides.customers.map((c) => c.Id)),
  };
  let collisions = 0;
  let created = { youtrack: 0, customcrm: 0 };
  let links = 0;
  const crmLinked = new Set<string>();
  for (const flow of ['organizations', 'groups', 'users'] as const) {
    const ytLinked = new Set<string>();
    for (const l of await w.store.listLinks({ flow })) {
      if (l.status !== 'active') continue;
      links++;
      if (ytLinked.has(l.ytId) || crmLinked.has(l.crmId)) collisions++;
      ytLinked.add(l.ytId);
      crmLinked.add(l.crmId);
      expect(yt[flow].has(l.ytId), `${flow} link ${l.label}: YouTrack record ${l.ytId} exists`).toBe(true);
      expect(crm[flow].has(l.crmId), `${flow} link ${l.label}: Customcrm record ${l.crmId} exists`).toBe(
        true,
      );
      if (l.origin === 'created-in-customcrm') created = { ...created, customcrm: created.customcrm + 1 };
      if (l.origin === 'created-in-youtrack') created = { ...created, youtrack: created.youtrack + 1 };
    }
    for (const id of yt[flow]) expect(ytLinked.has(id), `${flow} ${id} has a link`).toBe(true);
  }
  const now = recordCount(sides);
  const duplicates =
    collisions +
    (now.youtrack - before.youtrack - madeByTest.youtrack - created.youtrack) +
    (now.customcrm - before.customcrm - madeByTest.customcrm - created.customcrm);
  return { sides, duplicates, links };
}

/**
 * The synced values of both sides keyed by natural keys (login, name), so two runs that made
 * different ids can be compared.
 */
export async function snapshot(w: World): Promise<Record<string, unknown>> {
  const s = await readBothSides(w);
  const contacts = new Map(s.contacts.map((c) => [c.Id, c]));
  const customers = new Map(s.customers.map((c) => [c.Id, c]));
  const out: Record<string, unknown> = {};
  const crmOf = async (flow: FlowName, ytId: string) => (await w.store.findLink({ flow, ytId }))?.crmId;
  for (const u of s.users) {
    const c = contacts.get((await crmOf('users', u.id)) ?? '');
    out[`user:${u.login}`] = {
      name: u.name,
      email: u.profile?.email?.email ?? null,
      banned: u.banned ?? false,
      contact: c && {
        first: c.FirstName,
        last: c.LastName,
        email: c.Email,
        active: c.Active,
        username: c.Username,
        customer: c.CustomerId ? (customers.get(c.CustomerId)?.Name ?? '?') : null,
      },
    };
  }
  for (const [flow, list] of [
    ['groups', s.groups],
    ['organizations', s.organizations],
  ] as const)
    for (const g of list) {
      const c = customers.get((await crmOf(flow, g.id)) ?? '');
      out[`${flow}:${g.name}`] = {
        description: g.description ?? null,
        customer: c && { name: c.Name, description: c.Description },
      };
    }
  return out;
}
