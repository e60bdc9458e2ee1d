import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MembershipEvents } from '../../src/emulators/youtrack/index.ts';
import { World } from '../helpers/world.ts';
import type { Contact } from '../helpers/wire.ts';

/**
 * Incremental cycles on Hub's published event model (issue 11): string ids, typed changes,
 * memberships logged where the emulator's option says (public material does not tell), and
 * events of a shape the connector does not know, which must cost a full read of that type and
 * one warning, never a failed cycle.
 */

async function contactOf(w: World, hubUserId: string): Promise<Contact> {
  const link = await w.store.findLink({ flow: 'users', ytId: hubUserId });
  if (!link) throw new Error(`no link for user ${hubUserId}`);
  return w.crmApi<Contact>('GET', `/contacts/${link.crmId}`);
}

async function customerOfGroup(w: World, hubGroupId: string): Promise<string> {
  const link = await w.store.findLink({ flow: 'groups', ytId: hubGroupId });
  if (!link) throw new Error(`no link for group ${hubGroupId}`);
  return link.crmId;
}

const warnings = (w: World) =>
  w.logs.records().filter((l) => l['level'] === 'warn' && String(l['msg']).includes("in Hub's /events"));

function apiCalls(w: World, system: string): number {
  const text = w.metrics.render();
  let n = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('tandem_api_calls_total{') && line.includes(`system="${system}"`))
      n += Number(line.split(' ').pop());
  return n;
}

describe.each<[MembershipEvents, 'hub' | '2026']>([
  ['container', 'hub'],
  ['member', 'hub'],
  ['container', '2026'],
])('incremental cycles on Hub events, memberships logged on the %s, --api %s', (form, api) => {
  let w: World;
  beforeAll(async () => {
    w = await World.start({ youtrack: { membershipEvents: form, api } });
    expect((await w.sync()).status).toBe('ok');
    // The first sync's own writes are in the log: the next cycle reads them back once.
    expect((await w.sync({ kind: 'incremental' })).status).toBe('ok');
  });
  afterAll(() => w.close());

  it('a cycle with no change reads only the logs and writes nothing', async () => {
    const before = apiCalls(w, 'youtrack');
    const r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', kind: 'incremental', writes: 0 });
    // One page of /events (the watermark is the last id): nothing to read again. On 2026.1 the
    // organizations are polled too (YouTrack's list, and Hub's for their Hub-era ids).
    expect(apiCalls(w, 'youtrack') - before).toBe(api === 'hub' ? 1 : 3);
  });

  it('a membership change moves the contact to its new company', async () => {
    const dir = w.yt.directory;
    const chen = dir.userByLogin('chen.wei')!;
    const engineering = dir.groupByNameCi('Engineering')!;
    const support = dir.groupByNameCi('Support')!;
    expect((await contactOf(w, chen.hubId)).CustomerId).toBe(await customerOfGroup(w, engineering.hubId));

    await w.hub('DELETE', `/usergroups/${engineering.hubId}/users/${chen.hubId}`);
    const event = dir.events.all.at(-1)!;
    expect(event.targetType).toBe(form === 'container' ? 'userGroup' : 'user');
    let r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', kind: 'incremental' });
    expect((await contactOf(w, chen.hubId)).CustomerId).toBeNull();

    await w.hub('POST', `/usergroups/${support.hubId}/users`, { id: chen.hubId });
    r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', kind: 'incremental' });
    expect((await contactOf(w, chen.hubId)).CustomerId).toBe(await customerOfGroup(w, support.hubId));
    expect(warnings(w)).toEqual([]);
    expect((await w.sync({ kind: 'incremental' })).writes).toBe(0);
  });

  it('an event it cannot interpret costs a full read of that type and one warning, not a failed cycle', async () => {
    const dir = w.yt.directory;
    const aisha = dir.userByLogin('aisha.okafor')!;
    const support = dir.groupByNameCi('Support')!;
    // An edit the log does not show, and an event on the group whose change names members by
    // login in a shape no public model has: only a full read of the users finds the edit.
    aisha.name = 'Aisha N. Okafor';
    dir.events.appendRaw({
      targetId: support.hubId,
      targetType: 'userGroup',
      targetPresentation: support.name,
      type: 'updated',
      changes: [{ type: 'membershipChangeJSON', fieldName: 'users', added: ['aisha.okafor'] }],
    });
    const r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', kind: 'incremental' });
    expect(await contactOf(w, aisha.hubId)).toMatchObject({ FirstName: 'Aisha', LastName: 'N. Okafor' });
    expect(warnings(w)).toHaveLength(1);
    expect(String(warnings(w)[0]?.['msg'])).toContain('reading every User');
  });

  it('an event on a target type it does not know reads every type, and the cycle stays incremental', async () => {
    w.yt.directory.events.appendRaw({
      targetId: 'x-1',
      targetType: 'somethingNew',
      changes: [{ odd: true }],
    });
    w.yt.directory.events.appendRaw({ targetId: 'p-1', targetType: 'project', changes: [] });
    const r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', kind: 'incremental', writes: 0 });
    expect(warnings(w)).toHaveLength(2);
    expect(String(warnings(w)[1]?.['msg'])).toContain('reading every Organization, Group, User');
    expect((await w.sync({ kind: 'incremental' })).writes).toBe(0);
    expect(warnings(w)).toHaveLength(2);
  });
});
