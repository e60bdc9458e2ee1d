import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';

/**
 * Issue 16, freshness: the change feeds list Tandem's own writes too. After a first sync the CRM's
 * `modifiedSince` lists every record it created; the first events-feed cycle used to read each
 * one's YouTrack counterpart, one call at a time (a minute at 1,000 users, so an edit made then
 * waited that long: the freshness bench's misses). A record exactly as Tandem wrote it is an echo
 * with nothing to plan; real edits on either side must still go through.
 */

function calls(w: World, system: string): number {
  let n = 0;
  for (const line of w.metrics.render().split('\n'))
    if (line.startsWith('tandem_api_calls_total{') && line.includes(`system="${system}"`))
      n += Number(line.split(' ').pop());
  return n;
}

type Contact = { Id: string; FirstName: string | null; LastName: string | null };

describe('echoes of Tandem own writes in the change feeds', () => {
  let w: World;
  let created: number;
  beforeAll(async () => {
    w = await World.start();
    const first = await w.sync();
    expect(first.status).toBe('ok');
    created = first.writes;
  });
  afterAll(() => w.close());

  it('the first events-feed cycle after a first sync does not read back what it created', async () => {
    expect(created).toBeGreaterThan(20);
    const yt = calls(w, 'youtrack');
    const crm = calls(w, 'customcrm');
    const r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', kind: 'incremental', writes: 0 });
    // The events page (and nothing per record); the CRM's lists of changes and deletes.
    expect(calls(w, 'youtrack') - yt).toBeLessThanOrEqual(3);
    expect(calls(w, 'customcrm') - crm).toBeLessThanOrEqual(4);
  });

  it('a YouTrack edit after it still reaches the CRM', async () => {
    const user = w.yt.directory.userByLogin('chen.wei')!;
    await w.hub('POST', `/users/${user.hubId}`, { name: 'Chen Echo-Wei' });
    const r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', writes: 1 });
    const link = await w.store.findLink({ flow: 'users', ytId: user.hubId });
    expect(await w.crmApi<Contact>('GET', `/contacts/${link!.crmId}`)).toMatchObject({
      FirstName: 'Chen',
      LastName: 'Echo-Wei',
    });
    // Tandem's update of that contact is an echo in the next cycle.
    expect(await w.sync({ kind: 'incremental' })).toMatchObject({ status: 'ok', writes: 0 });
  });

  it('a CRM edit still reaches YouTrack, and its echo in the YouTrack log is not planned again', async () => {
    const user = w.yt.directory.userByLogin('aisha.okafor')!;
    const link = await w.store.findLink({ flow: 'users', ytId: user.hubId });
    await w.crmApi('PATCH', `/contacts/${link!.crmId}`, { LastName: 'Crm-Okafor' });
    const r = await w.sync({ kind: 'incremental' });
    expect(r).toMatchObject({ status: 'ok', writes: 1 });
    expect(w.yt.directory.userByLogin('aisha.okafor')!.name).toMatch(/Crm-Okafor$/);
    const yt = calls(w, 'youtrack');
    expect(await w.sync({ kind: 'incremental' })).toMatchObject({ status: 'ok', writes: 0 });
    // The write's event is read (one page, the user once) but not its CRM counterpart.
    expect(calls(w, 'youtrack') - yt).toBeLessThanOrEqual(4);
  });
});
