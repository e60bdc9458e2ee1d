import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import type { Contact } from '../helpers/wire.ts';

/**
 * Issue 12's bug, fixed with issue 14's review queue: a person's "apply the loser" that the CRM
 * refuses (the losing e-mail is not an e-mail) used to throw on every cycle before any flow ran.
 * It is now carried out by the executor: the record is quarantined with the CRM's reason, the rest
 * of the cycle runs, and later cycles are not blocked.
 */
describe('a conflict resolution the CRM rejects', () => {
  let w: World;
  let conflictId: number;
  let contactId: string;
  beforeAll(async () => {
    w = await World.start();
    expect((await w.sync()).status).toBe('ok');
    const contacts = await w.crmAll<Contact>('contacts');
    const link = (await w.store.listLinks({ flow: 'users', limit: 100 })).find((l) =>
      contacts.some((c) => c.Id === l.crmId && c.Email),
    )!;
    contactId = link.crmId;
    const conflict = await w.store.addConflict({
      linkId: link.id,
      flow: 'users',
      property: 'email',
      winnerSide: 'customcrm',
      winnerValue: 'kept@example.com',
      loserSide: 'youtrack',
      loserValue: 'not an e-mail address',
      at: new Date().toISOString(),
    });
    conflictId = conflict.id;
    await w.store.resolveConflict(conflictId, 'apply-loser', 'test');
  });
  afterAll(() => w.close());

  it('is quarantined with its reason while the rest of the cycle runs', async () => {
    const other = (await w.crmAll<Contact>('contacts')).find((c) => c.Id !== contactId && c.Email)!;
    await w.crmApi('PATCH', `/contacts/${other.Id}`, { FirstName: 'Renamed' });
    const r = await w.sync();
    expect(r.status).toBe('ok');
    const q = await w.store.findQuarantine({
      system: 'customcrm',
      recordType: 'Contact',
      recordId: contactId,
    });
    expect(q?.status).toBe('quarantined');
    expect(q?.reason).toMatch(/mail/i);
    // The rest of the cycle ran: the other Contact's rename reached YouTrack.
    const users = await w.hubAll<{ name: string }>('users', 'name');
    expect(users.some((u) => u.name.startsWith('Renamed '))).toBe(true);
    const [conflict] = (await w.store.listConflicts({})).filter((c) => c.id === conflictId);
    expect(conflict?.pending).toBe(true);
  });

  it('does not block the next cycles, and waits in quarantine until a retry is asked for', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await w.sync()).status).toBe('ok');
      const q = await w.store.findQuarantine({
        system: 'customcrm',
        recordType: 'Contact',
        recordId: contactId,
      });
      expect(q?.status).toBe('quarantined');
    }
    const [conflict] = (await w.store.listConflicts({})).filter((c) => c.id === conflictId);
    expect(conflict?.pending).toBe(true);
  });
});
