import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import type { Contact, Named } from '../helpers/wire.ts';

/**
 * A full cycle on an established connection (the periodic reconcile): the circuit breaker weighs
 * the users flow before any write, yet the users are read once when the plan is small, and the
 * plan is made again when an earlier flow of the same cycle links a Customer the users refer to.
 */

function youtrackCalls(w: World): number {
  let n = 0;
  for (const line of w.metrics.render().split('\n'))
    if (line.startsWith('tandem_api_calls_total{') && line.includes('system="youtrack"'))
      n += Number(line.split(' ').pop());
  return n;
}

async function cycleCalls(w: World): Promise<{ calls: number; writes: number }> {
  const before = youtrackCalls(w);
  const report = await w.sync();
  expect(report.status, report.message).toBe('ok');
  return { calls: youtrackCalls(w) - before, writes: report.writes };
}

describe('full reconcile of an established connection', () => {
  let w: World;
  let oneRead: { calls: number; writes: number };
  beforeAll(async () => {
    // No organizations: every user's company is empty until one is added below.
    w = await World.start({
      youtrack: { seed: 'empty', users: 260, groups: 0, orgs: 0, randomSeed: 11 },
      customcrm: { seed: 'empty' },
      // Small sizes, so 260 users make six batches and a plan of 31 actions is read again.
      connection: { sync: { stream: { usersBatch: 50, heldActions: 30 } } },
    });
    const first = await cycleCalls(w);
    const users = (await w.hubAll<{ guest?: boolean }>('users', 'id,guest')).filter((u) => !u.guest);
    expect(users.length).toBeGreaterThanOrEqual(260);
    expect(first.writes).toBe(users.length);
    const links = await w.store.listLinks({ flow: 'users' });
    expect(links.filter((l) => l.status === 'active')).toHaveLength(users.length);
  });
  afterAll(() => w.close());

  it('reads the YouTrack users once in a no-change full cycle, though the breaker weighs them', async () => {
    const links = await w.store.countLinks();
    expect(links.find((l) => l.flow === 'users' && l.status === 'active')?.count).toBeGreaterThan(20);
    oneRead = await cycleCalls(w);
    expect(oneRead.writes).toBe(0);
  });

  it('carries a few edits with that one read, and leaves nothing for the next cycle', async () => {
    const link = (await w.store.listLinks({ flow: 'users' }))[7]!;
    await w.crmApi('PATCH', `/contacts/${link.crmId}`, { LastName: 'Reconciled' });
    const { calls, writes } = await cycleCalls(w);
    expect(writes).toBe(1);
    // One read plus the user update (and the lookup an update of a user may need), not a second read.
    expect(calls).toBeLessThan(oneRead.calls + 4);
    const user = await w.hub<{ name: string }>('GET', `/users/${link.ytId}?fields=name`);
    expect(user.name.endsWith('Reconciled')).toBe(true);
    expect((await cycleCalls(w)).writes).toBe(0);
  });

  it('plans the users again when the organizations flow links a new Customer in the same cycle', async () => {
    const org = await w.hub<Named>('POST', '/organizations?fields=id,name', { name: 'Newco Shipping' });
    const link = (await w.store.listLinks({ flow: 'users' }))[3]!;
    await w.hub('POST', `/organizations/${org.id}/users`, { id: link.ytId });

    const { writes } = await cycleCalls(w);
    expect(writes).toBe(2); // the new Customer, and the contact's company
    const customer = (await w.store.findLink({ flow: 'organizations', ytId: org.id }))!.crmId;
    const contact = await w.crmApi<Contact>('GET', `/contacts/${link.crmId}`);
    expect(contact.CustomerId).toBe(customer);
    expect((await cycleCalls(w)).writes).toBe(0);
  });

  it('reads the users again when the plan is larger than it keeps, and carries every change', async () => {
    const links = (await w.store.listLinks({ flow: 'users' })).slice(100, 140);
    for (const l of links) await w.crmApi('PATCH', `/contacts/${l.crmId}`, { LastName: `Bulk ${l.id}` });
    const { calls, writes } = await cycleCalls(w);
    expect(writes).toBe(40);
    expect(calls - 40).toBeGreaterThan(oneRead.calls);
    for (const l of [links[0]!, links[39]!]) {
      const user = await w.hub<{ name: string }>('GET', `/users/${l.ytId}?fields=name`);
      expect(user.name.endsWith(`Bulk ${l.id}`)).toBe(true);
    }
    expect((await cycleCalls(w)).writes).toBe(0);
  });

  it('reads them twice when a free contact could match: e-mails are counted before any is linked', async () => {
    await w.crmApi('POST', '/contacts', { FirstName: 'No', LastName: 'Match', Email: 'nobody@example.org' });
    const twoReads = await cycleCalls(w);
    expect(twoReads.writes).toBe(0);
    // The second read is the users' pages again (YouTrack and Hub): at 260 users, several calls.
    expect(twoReads.calls - oneRead.calls).toBeGreaterThanOrEqual(4);
  });
});
