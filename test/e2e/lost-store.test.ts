import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import type { StateStore } from '../../src/store/types.ts';
import { World } from '../helpers/world.ts';

/**
 * Issue 14, point 5: a store that knows nothing, run against systems already in sync, relinks every
 * pair from what the systems hold (the ExternalRefs Tandem wrote, then the merge criteria).
 */
describe('a lost store', () => {
  let w: World;
  let fresh: StateStore;

  beforeAll(async () => {
    w = await World.start();
    // A Customer renamed after it was created from a group: only its ExternalRef still joins them.
    expect((await w.sync()).status).toBe('ok');
    const support = (await w.hubAll<{ id: string; name: string }>('usergroups', 'id,name')).find(
      (g) => g.name === 'Support',
    )!;
    const link = (await w.store.findLink({ flow: 'groups', ytId: support.id }))!;
    await w.crmApi('PATCH', `/customers/${link.crmId}`, { Name: 'Support (renamed in the CRM)' });
    await w.hub('POST', `/usergroups/${support.id}`, { name: 'Support (renamed in the CRM)' });
    expect((await w.sync()).writes).toBe(0);
    fresh = (await openStore(`sqlite:${join(w.dir, 'fresh.db')}`)).forConnection('test');
  });
  afterAll(async () => {
    await fresh.close();
    await w.close();
  });

  it('writes nothing but links: 0 creates, 0 updates, 0 conflicts', async () => {
    const r = await w.sync({}, fresh);
    expect(r.status).toBe('ok');
    expect(r.writes).toBe(0);
    for (const systems of Object.values(r.stats))
      for (const c of Object.values(systems)) expect([c.created, c.updated, c.conflicts]).toEqual([0, 0, 0]);
    expect(await w.activeLinks(fresh)).toBe(await w.activeLinks(w.store));
    for (const flow of ['organizations', 'groups', 'users'] as const)
      for await (const l of w.store.iterateLinks(flow))
        expect((await fresh.findLink({ flow, ytId: l.ytId }))?.crmId, `${flow} ${l.label}`).toBe(l.crmId);
  });

  it('and the next cycle writes nothing either', async () => {
    expect((await w.sync({}, fresh)).writes).toBe(0);
  });
});
