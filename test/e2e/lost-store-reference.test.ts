import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import type { StateStore } from '../../src/store/types.ts';
import { World } from '../helpers/world.ts';

/**
 * Issue 14, point 5, for a CRM without ExternalRefs: the records Tandem created carry the YouTrack
 * id in the CRM's reference property (`profile.referenceProperty`, issue 13), and a store that
 * lost its links relinks from it. The emulator runs with ExternalRefs disabled; its Customers and
 * Contacts share no spare field, so the test stores the id in `Phone` (empty on both sides: the
 * CRM starts empty), as a real CRM would in a custom field.
 */
describe('a lost store, on a CRM without ExternalRefs', () => {
  let w: World;
  let fresh: StateStore;

  beforeAll(async () => {
    w = await World.start({
      customcrm: { seed: 'empty', disable: ['externalRefs'] },
      customcrmProfile: { externalRefs: false, referenceProperty: 'Phone' },
    });
    const first = await w.sync();
    expect(first.status).toBe('ok');
    expect(first.stats.users.customcrm.created).toBeGreaterThan(0);
    // The demo directory has two accounts sharing an e-mail: only the reference tells their Contacts apart.
    const support = (await w.hubAll<{ id: string; name: string }>('usergroups', 'id,name')).find(
      (g) => g.name === 'Support',
    )!;
    const link = (await w.store.findLink({ flow: 'groups', ytId: support.id }))!;
    const customer = await w.crmApi<{ Phone: string | null; ExternalRefs?: unknown }>(
      'GET',
      `/customers/${link.crmId}`,
    );
    expect(customer.Phone).toBe(support.id);
    expect(customer.ExternalRefs).toBeUndefined();
    fresh = (await openStore(`sqlite:${join(w.dir, 'fresh.db')}`)).forConnection('test');
  });
  afterAll(async () => {
    await fresh.close();
    await w.close();
  });

  it('writes nothing but links: 0 creates, 0 duplicates, every pair relinked as it was', async () => {
    const contactsBefore = (await w.crmAll('contacts')).length;
    const customersBefore = (await w.crmAll('customers')).length;
    const r = await w.sync({}, fresh);
    expect(r.status).toBe('ok');
    expect(r.writes).toBe(0);
    for (const systems of Object.values(r.stats))
      for (const c of Object.values(systems)) expect([c.created, c.updated, c.conflicts]).toEqual([0, 0, 0]);
    expect((await w.crmAll('contacts')).length).toBe(contactsBefore);
    expect((await w.crmAll('customers')).length).toBe(customersBefore);
    expect(await w.activeLinks(fresh)).toBe(await w.activeLinks(w.store));
    for (const flow of ['organizations', 'groups', 'users'] as const)
      for await (const l of w.store.iterateLinks(flow))
        expect((await fresh.findLink({ flow, ytId: l.ytId }))?.crmId, `${flow} ${l.label}`).toBe(l.crmId);
    expect((await w.sync({}, fresh)).writes).toBe(0);
  });
});
