import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueEntry } from '../../src/engine/review-queue.ts';
import { tandem, writeWorldConfig } from '../helpers/cli.ts';
import { World } from '../helpers/world.ts';

/**
 * Issue 14: with `deletes: propagate`, a delete waits in review (the default `approveDeletes`).
 * The decisions come from the real binary; the syncs run over real HTTP against both emulators.
 */

type Named = { id: string; name: string };

describe('deletes awaiting approval', () => {
  let w: World;
  let cfg: ReturnType<typeof writeWorldConfig>;
  const settings = { sync: { deletes: 'propagate' as const } };
  const cli = (...args: string[]) => tandem([...args, '--config', cfg.file], cfg.env);
  const deletes = async (): Promise<QueueEntry[]> => {
    const r = await cli('review', '--json');
    expect(r.code, r.stderr).toBe(0);
    const items = (JSON.parse(r.stdout) as { connections: Array<{ items: QueueEntry[] }> }).connections[0]!
      .items;
    return items.filter((i) => i.kind === 'delete');
  };
  const groupNamed = async (name: string) =>
    (await w.hubAll<Named>('usergroups', 'id,name')).find((g) => g.name === name);

  beforeAll(async () => {
    w = await World.start({ connection: settings });
    cfg = writeWorldConfig(w, settings);
    expect((await w.sync()).status).toBe('ok');
  });
  afterAll(() => w.close());

  it('a deleted Customer makes a review item; its group stays until a person approves', async () => {
    const group = (await groupNamed('Contractors'))!;
    const link = (await w.store.findLink({ flow: 'groups', ytId: group.id }))!;
    await w.crmApi('DELETE', `/customers/${link.crmId}`);
    const r = await w.sync();
    expect(r.status).toBe('ok');
    expect(r.stats.groups.youtrack.deleted).toBe(0);
    expect(await groupNamed('Contractors')).toBeDefined();
    const [item, ...more] = await deletes();
    expect(more).toEqual([]);
    expect(item).toMatchObject({ code: 'DELETE_PENDING', flow: 'groups', actions: ['approve', 'reject'] });
    expect(item!.records).toEqual([
      { system: 'customcrm', type: 'Customer', id: link.crmId, label: 'Contractors (deleted)' },
      { system: 'youtrack', type: 'Group', id: group.id, label: 'Contractors' },
    ]);
    // Still waiting on the next cycle: one item, nothing deleted.
    expect((await w.sync()).stats.groups.youtrack.deleted).toBe(0);
    expect((await deletes()).map((i) => i.id)).toEqual([item!.id]);

    const decided = await cli('review', item!.id, 'approve');
    expect(decided.code, decided.stderr).toBe(0);
    const after = await w.sync();
    expect(after.stats.groups.youtrack.deleted).toBe(1);
    expect(await groupNamed('Contractors')).toBeUndefined();
    expect((await w.store.getLink(link.id))!.status).toBe('both-deleted');
    expect(await deletes()).toEqual([]);
  });

  it('reject keeps the record and the delete is not proposed again', async () => {
    const users = await w.hubAll<{ id: string; login: string }>('users', 'id,login');
    const aisha = users.find((u) => u.login === 'aisha.okafor')!;
    const link = (await w.store.findLink({ flow: 'users', ytId: aisha.id }))!;
    await w.crmApi('DELETE', `/contacts/${link.crmId}`);
    await w.sync();
    const item = (await deletes()).find((i) => i.flow === 'users')!;
    expect(item.records.map((r) => r.id)).toEqual([link.crmId, aisha.id]);
    const decided = await cli('review', item.id, 'reject');
    expect(decided.code, decided.stderr).toBe(0);
    const r = await w.sync();
    expect(r.stats.users.youtrack.deleted).toBe(0);
    expect((await w.hub<{ login: string }>('GET', `/users/${aisha.id}?fields=login`)).login).toBe(
      'aisha.okafor',
    );
    expect((await w.store.getLink(link.id))!.status).toBe('customcrm-deleted');
    await w.sync();
    expect(await deletes()).toEqual([]);
  });
});
