import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../src/engine/review-queue.ts';
import { tandem, writeWorldConfig } from '../helpers/cli.ts';
import { World } from '../helpers/world.ts';
import type { Customer, Named } from '../helpers/wire.ts';

/** Issue 14, point 3: every review action from the real binary, carried out by the next sync. */

describe('tandem review', () => {
  let w: World;
  let cfg: ReturnType<typeof writeWorldConfig>;
  const cli = (...args: string[]) => tandem([...args, '--config', cfg.file], cfg.env);
  const list = async (): Promise<QueueEntry[]> => {
    const r = await cli('review', '--json');
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { connections: Array<{ items: QueueEntry[] }> }).connections[0]!.items;
  };
  // Syncs run in-process on the same store and settings; the review commands are the real binary.
  const sync = async () => expect((await w.sync()).status).toBe('ok');

  beforeAll(async () => {
    const settings = { sync: { protectedAccounts: { logins: ['knut.johannessen'] } } };
    w = await World.start({ connection: settings });
    cfg = writeWorldConfig(w, settings);
    await w.hub('POST', '/usergroups?fields=id,name', { name: 'Nordlys Shipping AS' });
    await w.crmApi('POST', '/customers', { Name: 'ACME Widgets Ltd' });
    await sync();
  });
  afterAll(() => w.close());

  it('lists each open item with an id, a kind, its records and the allowed actions', async () => {
    const items = await list();
    const match = items.find((i) => i.code === 'AMBIGUOUS_MATCH')!;
    expect(match).toMatchObject({ kind: 'match', actions: ['link', 'create', 'keep-apart'] });
    expect(match.id).toMatch(/^r\d+$/);
    expect(match.records.map((r) => r.type).sort()).toEqual(['Customer', 'Group', 'Organization']);
    expect(items.find((i) => i.code === 'DUPLICATE_NAME')?.kind).toBe('duplicate');
    const text = await cli('review');
    expect(text.stdout).toContain(match.id);
    expect(text.stdout).toContain('Nordlys Shipping AS');
  });

  it('refuses an action the item does not take, naming the allowed ones', async () => {
    const match = (await list()).find((i) => i.code === 'AMBIGUOUS_MATCH')!;
    const r = await cli('review', match.id, 'approve');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('link, create, keep-apart');
    const ambiguous = await cli('review', match.id, 'link');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/--youtrack ID/);
  });

  it('link: the chosen pair is linked by the next sync, the other record stays out', async () => {
    const match = (await list()).find((i) => i.code === 'AMBIGUOUS_MATCH')!;
    const org = match.records.find((r) => r.type === 'Organization')!;
    const customer = match.records.find((r) => r.type === 'Customer')!;
    const r = await cli('review', match.id, 'link', '--youtrack', org.id);
    expect(r.code, r.stderr).toBe(0);
    await sync();
    expect((await w.store.findLink({ flow: 'organizations', ytId: org.id }))?.crmId).toBe(customer.id);
    const customers = await w.crmAll<Customer>('customers');
    expect(customers.filter((c) => c.Name === 'Nordlys Shipping AS')).toHaveLength(1);
    // The group of that name now meets a linked namesake: a new item (from the next cycle), not a guess.
    await sync();
    const again = (await list()).filter((i) => i.code === 'AMBIGUOUS_MATCH');
    expect(again.map((i) => i.records.map((x) => x.type))).toEqual([['Group']]);
  });

  it('keep-apart: the duplicates stay unlinked and the item is gone', async () => {
    const dup = (await list()).find((i) => i.code === 'DUPLICATE_NAME')!;
    expect((await cli('review', dup.id, 'keep-apart')).code).toBe(0);
    await sync();
    expect((await list()).some((i) => i.id === dup.id)).toBe(false);
    const groups = await w.hubAll<Named>('usergroups', 'id,name');
    expect(groups.filter((g) => g.name.toLowerCase().startsWith('acme'))).toEqual([]);
  });

  it('create: the group gets a Customer of its own', async () => {
    const item = (await list()).find((i) => i.code === 'AMBIGUOUS_MATCH')!;
    expect((await cli('review', item.id, 'create')).code).toBe(0);
    await sync();
    const group = item.records[0]!;
    expect(await w.store.findLink({ flow: 'groups', ytId: group.id })).not.toBeNull();
    expect((await list()).filter((i) => i.code === 'AMBIGUOUS_MATCH')).toEqual([]);
  });

  it('approve and reject: a protected account change', async () => {
    const users = await w.hubAll<{ id: string; login: string; name: string }>('users', 'id,login,name');
    const knut = users.find((u) => u.login === 'knut.johannessen')!;
    const link = (await w.store.findLink({ flow: 'users', ytId: knut.id }))!;
    await w.crmApi('PATCH', `/contacts/${link.crmId}`, { FirstName: 'Knud' });
    await sync();
    let item = (await list()).find((i) => i.kind === 'protected-account')!;
    expect(item.values).toEqual([
      { property: 'fullName', youtrack: 'Knut Johannessen', customcrm: 'Knud Johannessen' },
    ]);
    expect((await cli('review', item.id, 'reject')).code).toBe(0);
    await sync();
    const contact = await w.crmApi<{ FirstName: string }>('GET', `/contacts/${link.crmId}`);
    expect(contact.FirstName).toBe('Knut');
    await w.crmApi('PATCH', `/contacts/${link.crmId}`, { FirstName: 'Knud' });
    await sync();
    item = (await list()).find((i) => i.kind === 'protected-account')!;
    expect((await cli('review', item.id, 'approve')).code).toBe(0);
    await sync();
    const after = await w.hubAll<{ login: string; name: string }>('users', 'login,name');
    expect(after.find((u) => u.login === 'knut.johannessen')?.name).toBe('Knud Johannessen');
  });

  it('keep-winner, apply-loser and retry', async () => {
    const link = (await w.store.listLinks({ flow: 'users', limit: 100 }))[0]!;
    const add = (loser: string) =>
      w.store.addConflict({
        linkId: link.id,
        flow: 'users',
        property: 'email',
        winnerSide: 'customcrm',
        winnerValue: 'winner@example.com',
        loserSide: 'youtrack',
        loserValue: loser,
        at: new Date().toISOString(),
      });
    const kept = await add('kept@example.com');
    const bad = await add('not an e-mail');
    expect((await cli('review', `c${kept.id}`, 'keep-winner')).code).toBe(0);
    expect((await cli('review', `c${bad.id}`, 'apply-loser')).code).toBe(0);
    // Exit 1: the cycle ran and quarantined a record.
    expect((await cli('sync', '--json')).code).toBe(1);
    const items = await list();
    expect(items.some((i) => i.id === `c${kept.id}`)).toBe(false);
    const q = items.find((i) => i.kind === 'quarantine' && i.records[0]?.id === link.crmId)!;
    expect(q.message).toMatch(/mail/i);
    expect(q.actions).toEqual(['retry']);
    expect((await cli('review', q.id, 'retry')).code).toBe(0);
    expect((await list()).find((i) => i.id === q.id)?.actions).toEqual([]);
  });

  it('tandem status lists open conflicts and quarantined records with record, reason and values', async () => {
    const link = (await w.store.listLinks({ flow: 'users', limit: 100 }))[1]!;
    await w.addNameConflict(link.id, 'Winning Name', 'Losing Name');
    const r = await cli('status');
    expect(r.stdout).toMatch(/Waiting for review \(\d+/);
    expect(r.stdout).toContain(`customcrm ${link.crmType} ${link.crmId}`);
    expect(r.stdout).toContain('fullName: YouTrack "Winning Name", Customcrm "Losing Name" (youtrack won)');
    expect(r.stdout).toMatch(/quarantine\s+\[users\]/);
    expect(r.stdout).toMatch(/not an e-mail/i);
    const json = JSON.parse((await cli('status', '--json')).stdout) as Array<{ conflicts: { open: number } }>;
    expect(json[0]!.conflicts.open).toBeGreaterThan(0);
  });
});
