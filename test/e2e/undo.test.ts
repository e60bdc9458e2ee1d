import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undoCycle } from '../../src/engine/undo.ts';
import { JsonLogger } from '../../src/log/logger.ts';
import { World } from '../helpers/world.ts';
import type { Contact, Customer } from '../helpers/wire.ts';

/** Issue 14, point 6: an undone cycle leaves the systems as they were before it. */

describe('tandem undo', () => {
  let w: World;
  let cycle: number;
  let before: Awaited<ReturnType<typeof crm>>;
  const crm = async () => ({
    customers: (await w.crmAll<Customer>('customers')).map((c) => ({
      Id: c.Id,
      Name: c.Name,
      Description: c.Description,
    })),
    contacts: (await w.crmAll<Contact>('contacts')).map((c) => ({
      Id: c.Id,
      FirstName: c.FirstName,
      LastName: c.LastName,
      Email: c.Email,
    })),
  });
  const undo = (n: number, dryRun = false) =>
    undoCycle(w.rt, { store: w.store, logger: new JsonLogger(w.logs, 'debug') }, n, { dryRun });

  beforeAll(async () => {
    w = await World.start();
    await w.sync();
    before = await crm();
    const users = await w.hubAll<{ id: string; login: string }>('users', 'id,login');
    const zoe = users.find((u) => u.login === 'zoe.oconnor')!;
    const chen = users.find((u) => u.login === 'chen.wei')!;
    await w.hub('POST', `/users/${zoe.id}`, { name: 'Zoë Walsh' });
    await w.hub('POST', `/users/${chen.id}`, { name: 'Chen Wei-Ling' });
    const orgs = await w.hubAll<{ id: string; name: string }>('organizations', 'id,name');
    await w.hub('POST', `/organizations/${orgs.find((o) => o.name === 'Nordlys Shipping AS')!.id}`, {
      description: 'Hurtigruten partner',
    });
    await w.hub('POST', '/usergroups?fields=id', { name: 'Undo Me' });
    const r = await w.sync();
    expect(r.writes).toBeGreaterThan(0);
    cycle = r.cycleId!;
  });
  afterAll(() => w.close());

  it('plans the undo without writing (--dry-run)', async () => {
    const r = await undo(cycle, true);
    const kinds = r.plans.flatMap((p) => p.actions.map((a) => a.kind));
    expect(kinds).toContain('delete');
    expect(kinds).toContain('update');
    expect(r.writes).toBe(0);
    expect(await crm()).not.toEqual(before);
  });

  it('puts back every value the cycle wrote and removes what it created; a value changed since goes to review', async () => {
    // Someone edits Chen's Contact after the cycle: that field is not overwritten.
    const chenContact = (await w.crmAll<Contact>('contacts')).find((c) => c.LastName === 'Wei-Ling')!;
    await w.crmApi('PATCH', `/contacts/${chenContact.Id}`, { LastName: 'Wei-Ling Zhang' });
    const r = await undo(cycle);
    expect(r.cycleId).not.toBeNull();
    const after = await crm();
    const expected = before.contacts.map((c) =>
      c.Id === chenContact.Id ? { ...c, LastName: 'Wei-Ling Zhang' } : c,
    );
    expect(after.contacts).toEqual(expected);
    expect(after.customers).toEqual(before.customers);
    const conflicts = await w.store.listConflicts({ status: 'open' });
    expect(conflicts.map((c) => [c.property, c.winnerValue, c.loserValue])).toContainEqual([
      'fullName',
      'Chen Wei-Ling Zhang',
      'Chen Wei',
    ]);
  });
});
