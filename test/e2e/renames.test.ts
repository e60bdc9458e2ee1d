import { describe, expect, it } from 'vitest';
import { syncedWorld } from '../helpers/synced-world.ts';

/** Issue 14, point 7: a renamed record is found by its new name (history, dashboard search). */
describe('labels and search keys follow renames', () => {
  const w = syncedWorld();

  it('finds a user renamed in YouTrack and a Contact re-addressed in the CRM by their new values', async () => {
    const users = await w.hubAll<{ id: string; login: string }>('users', 'id,login');
    const zoe = users.find((u) => u.login === 'zoe.oconnor')!;
    await w.hub('POST', `/users/${zoe.id}`, { name: 'Zoë Walsh' });
    const chen = users.find((u) => u.login === 'chen.wei')!;
    const chenLink = (await w.store.findLink({ flow: 'users', ytId: chen.id }))!;
    await w.crmApi('PATCH', `/contacts/${chenLink.crmId}`, { Email: 'wei.chen@example.org' });
    expect((await w.sync()).status).toBe('ok');
    const byName = await w.store.searchLinks('zoë walsh', 5);
    expect(byName.map((l) => l.ytId)).toEqual([zoe.id]);
    expect(byName[0]!.label).toContain('Zoë Walsh');
    expect((await w.store.searchLinks('wei.chen@example.org', 5)).map((l) => l.ytId)).toEqual([chen.id]);
  });
});
