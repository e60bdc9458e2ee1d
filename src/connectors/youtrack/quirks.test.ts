import { afterEach, describe, expect, it } from 'vitest';
import type { RemoteRecord } from '../../core/types.ts';
import { startYouTrackEmulator, type YouTrackEmulator } from '../../emulators/youtrack/index.ts';
import type { YouTrackEmulatorOptions } from '../../emulators/youtrack/index.ts';
import { ManualClock } from '../../util/clock.ts';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import { createYouTrackConnector, youtrackConfigSchema } from './index.ts';

/**
 * Behaviours real instances were seen to have, or may have, that the documents do not show:
 * the connector is run against the emulator with each quirk on (issue 11).
 */

const createOpts = { idempotencyKey: 'k', externalRef: { System: 'customcrm', Type: 'Contact', Id: 'c-1' } };
let emu: YouTrackEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function setUp(opts: YouTrackEmulatorOptions, clock = new ManualClock(Date.UTC(2026, 0, 1))) {
  emu = await startYouTrackEmulator({ seed: 'demo', clock, ...opts });
  const logs = new MemorySink();
  const yt = createYouTrackConnector(
    youtrackConfigSchema.parse({
      url: emu.url,
      token: 'perm:demo',
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
    }),
    { clock, logger: new JsonLogger(logs, 'debug') },
  );
  return { emu, yt, clock, logs };
}

async function all(it: AsyncIterable<RemoteRecord>): Promise<RemoteRecord[]> {
  const out: RemoteRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('quirks of real instances', () => {
  it('takes a deleted group that Hub answers with another group as not found', async () => {
    const { emu, yt, logs } = await setUp({ quirks: { deletedGroupAnswersOther: true } });
    const support = emu.directory.groupByNameCi('Support')!;
    emu.directory.deleteGroup(support.hubId);
    const raw = await fetch(`${emu.url}/hub/api/rest/usergroups/${support.hubId}?fields=id,name`, {
      headers: { authorization: 'Bearer perm:demo' },
    });
    expect(((await raw.json()) as { name: string }).name).toBe('All Users');
    expect(await yt.read('Group', support.hubId)).toBeNull();
    expect(logs.records().some((l) => String(l['msg']).includes('answered with another entity'))).toBe(true);
  });

  it('keeps a user it made in Hub in the full read until YouTrack shows it (propagation lag)', async () => {
    const { emu, yt, clock } = await setUp({ quirks: { propagationLagMs: 60_000 } });
    const u = await yt.create(
      'User',
      { login: 'lag.test', fullName: 'Lag Test', email: 'lag@example.com' },
      createOpts,
    );
    const listed = await fetch(`${emu.url}/api/users?fields=login&$top=-1`, {
      headers: { authorization: 'Bearer perm:demo' },
    });
    expect(((await listed.json()) as Array<{ login: string }>).map((x) => x.login)).not.toContain('lag.test');
    const during = await all(yt.readAll('User'));
    expect(during.find((r) => r.id === u.id)?.props['login']).toBe('lag.test');
    clock.advance(61_000);
    const after = await all(yt.readAll('User'));
    expect(after.filter((r) => r.id === u.id)).toHaveLength(1);
    expect(after.find((r) => r.id === u.id)?.aliases?.['youtrackId']).toMatch(/^1-\d+$/);
  });

  it('keeps a user a person made in Hub, seen through the events, in the full read during the lag', async () => {
    const { emu, yt } = await setUp({ quirks: { propagationLagMs: 60_000 } });
    const start = await yt.changesSince(undefined);
    await fetch(`${emu.url}/hub/api/rest/users`, {
      method: 'POST',
      headers: { authorization: 'Bearer perm:demo', 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'made.by.hand', name: 'Made By Hand' }),
    });
    const batch = await yt.changesSince(start.watermark);
    const id = emu.directory.userByLogin('made.by.hand')!.hubId;
    expect(batch.changes).toEqual([expect.objectContaining({ id, op: 'upsert' })]);
    const users = await all(yt.readAll('User'));
    expect(users.filter((r) => r.id === id)).toHaveLength(1);
  });

  it('on 2026.1, a write to a user Hub has not passed on yet is tried again later (STALE), never a delete', async () => {
    const { emu, yt } = await setUp({ api: '2026', quirks: { propagationLagMs: 60_000 } });
    const res = await fetch(`${emu.url}/hub/api/rest/users?fields=id`, {
      method: 'POST',
      headers: { authorization: 'Bearer perm:demo', 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'fresh.hub', name: 'Fresh Hub' }),
    });
    const { id } = (await res.json()) as { id: string };
    await expect(yt.update('User', id, { fullName: 'Fresh H.' })).rejects.toMatchObject({ code: 'STALE' });
    await expect(yt.delete('User', id)).rejects.toMatchObject({ code: 'STALE' });
    expect(emu.directory.users.get(id)).toBeDefined();
  });

  it('on 2026.1 with a Hub that lists no organizations, knows them by their YouTrack ids and says so', async () => {
    const { emu, yt } = await setUp({ api: '2026', quirks: { hubOrganizationsAfterUpgrade: 'gone' } });
    const info = await yt.verify();
    expect(info.fallbacks.some((f) => f.includes('organizations made before the upgrade'))).toBe(true);
    const orgs = await all(yt.readAll('Organization'));
    expect(orgs.map((o) => o.id).sort()).toEqual(emu.directory.organizations.all.map((o) => o.ytId).sort());
    const one = await yt.read('Organization', orgs[0]!.id);
    expect(one?.props).toEqual(orgs[0]!.props);
  });

  it('with Hub keeping them, 2026.1 organizations keep their Hub-era ids', async () => {
    const { emu, yt } = await setUp({ api: '2026' });
    expect(
      (await yt.verify()).fallbacks.some((f) => f.includes('organizations made before the upgrade')),
    ).toBe(false);
    const orgs = await all(yt.readAll('Organization'));
    expect(orgs.map((o) => o.id).sort()).toEqual(emu.directory.organizations.all.map((o) => o.hubId).sort());
    expect(orgs.every((o) => /^4-\d+$/.test(o.aliases?.['youtrackId'] ?? ''))).toBe(true);
  });

  it('sends a successor when deleting, as the server requires', async () => {
    const { emu, yt } = await setUp({ quirks: { successorRequired: true } });
    const g = await yt.create('Group', { name: 'Short-lived' }, createOpts);
    const u = await yt.create('User', { login: 'short.lived', fullName: 'Short Lived' }, createOpts);
    await yt.delete('Group', g.id);
    await yt.delete('User', u.id);
    expect(emu.directory.groups.get(g.id)).toBeUndefined();
    expect(emu.directory.users.get(u.id)).toBeUndefined();
  });
});
