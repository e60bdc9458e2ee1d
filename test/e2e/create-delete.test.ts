import { describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import { syncedWorld } from '../helpers/synced-world.ts';
import type { Contact, HubUser, Named } from '../helpers/wire.ts';

describe('records created in Customcrm (issue 4, behaviour 5)', () => {
  const w = syncedWorld();

  it('creates exactly one YouTrack group for a new Customer', async () => {
    const c = await w.crmApi<{ Id: string }>('POST', '/customers', {
      Name: 'Fjordkraft Analytics',
      Description: 'New in the CRM',
    });
    const r = await w.sync();
    expect(r.stats.groups.youtrack.created).toBe(1);
    const groups = (await w.hubAll<Named>('usergroups', 'id,name')).filter(
      (g) => g.name === 'Fjordkraft Analytics',
    );
    expect(groups).toHaveLength(1);
    const link = await w.store.findLink({ flow: 'groups', crmId: c.Id });
    expect(link?.ytId).toBe(groups[0]!.id);
    expect(link?.origin).toBe('created-in-youtrack');
    expect((await w.sync()).writes).toBe(0);
  });

  it('does not create a YouTrack user for a new Contact unless user creation is on', async () => {
    const before = (await w.hubAll<HubUser>('users', 'id')).length;
    await w.crmApi('POST', '/contacts', {
      FirstName: 'Nina',
      LastName: 'Nyberg',
      Email: 'nina@nyberg.example',
    });
    const r = await w.sync();
    expect(r.stats.users.youtrack.created).toBe(0);
    expect((await w.hubAll<HubUser>('users', 'id')).length).toBe(before);
  });
});

describe('deletes (issue 4, behaviour 7)', () => {
  it('keeps the counterpart and marks the link by default', async () => {
    const w = await World.start();
    try {
      await w.sync();
      const users = await w.hubAll<HubUser>('users', 'id,login');
      const dmitri = users.find((u) => u.login === 'dmitri.ivanov')!;
      const link = (await w.store.findLink({ flow: 'users', ytId: dmitri.id }))!;
      await w.hub('DELETE', `/users/${dmitri.id}?successor=${w.yt.directory.admin.hubId}`);
      const r = await w.sync();
      expect(r.writes).toBe(0);
      expect((await w.store.getLink(link.id))!.status).toBe('youtrack-deleted');
      const contact = await w.crmApi<Contact>('GET', `/contacts/${link.crmId}`);
      expect(contact.LastName).toBe('Ivanov');

      const aisha = users.find((u) => u.login === 'aisha.okafor')!;
      const aishaLink = (await w.store.findLink({ flow: 'users', ytId: aisha.id }))!;
      await w.crmApi('DELETE', `/contacts/${aishaLink.crmId}`);
      await w.sync();
      expect((await w.store.getLink(aishaLink.id))!.status).toBe('customcrm-deleted');
      const still = await w.hub<HubUser>('GET', `/users/${aisha.id}?fields=id,login`);
      expect(still.login).toBe('aisha.okafor');
    } finally {
      await w.close();
    }
  });

  it('propagates deletes only when configured, and the circuit breaker stops a mass delete', async () => {
    const w = await World.start({
      connection: {
        sync: {
          deletes: 'propagate',
          circuitBreaker: { maxDeleteShare: 0.3, maxChangeShare: 1, minRecords: 3 },
        },
      },
    });
    try {
      await w.sync();
      const groups = await w.hubAll<Named>('usergroups', 'id,name');
      const contractors = groups.find((g) => g.name === 'Contractors')!;
      const link = (await w.store.findLink({ flow: 'groups', ytId: contractors.id }))!;
      await w.crmApi('DELETE', `/customers/${link.crmId}`);
      const r = await w.sync();
      expect(r.status).toBe('ok');
      expect(r.stats.groups.youtrack.deleted).toBe(1);
      expect((await w.hubAll<Named>('usergroups', 'id,name')).some((g) => g.id === contractors.id)).toBe(
        false,
      );

      // Now delete most of the Customers at once: the breaker stops the cycle before any write.
      const groupLinks = (await w.store.listLinks({ flow: 'groups', status: 'active' })).slice(0, 6);
      for (const l of groupLinks) await w.crmApi('DELETE', `/customers/${l.crmId}`);
      const countBefore = (await w.hubAll<Named>('usergroups', 'id')).length;
      const blocked = await w.sync();
      expect(blocked.status).toBe('blocked');
      expect(blocked.writes).toBe(0);
      expect(blocked.message).toMatch(/--force/);
      expect((await w.hubAll<Named>('usergroups', 'id')).length).toBe(countBefore);
      const forced = await w.sync({ force: true });
      expect(forced.status).toBe('ok');
      expect(forced.stats.groups.youtrack.deleted).toBe(groupLinks.length);
    } finally {
      await w.close();
    }
  });
});
