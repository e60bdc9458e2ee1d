import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startYouTrackEmulator, type YouTrackEmulator } from './index.ts';
import { asList, asObject, call } from '../../../test/support/emulators/youtrack.ts';

describe('a 100,000-user directory', () => {
  let emu: YouTrackEmulator;
  let loadMs = 0;
  beforeAll(async () => {
    const started = performance.now();
    emu = await startYouTrackEmulator({ users: 100_000, groups: 400, orgs: 150, randomSeed: 9 });
    loadMs = performance.now() - started;
  });
  afterAll(() => emu.close());

  it('loads in seconds and serves the last page from the index', async () => {
    // Generous bound: the point is "seconds, not minutes" on a shared two-core machine.
    expect(loadMs).toBeLessThan(30_000);
    const total = emu.directory.users.size;
    const page = asList(await call(emu, 'GET', `/api/users?$skip=${total - 2}&$top=5&fields=id`));
    expect(page.map((u) => u.id)).toEqual([`1-${total - 1}`, `1-${total}`]);
    const hub = asObject(
      await call(emu, 'GET', '/hub/api/rest/users?$skip=99990&$top=3&fields=total,users(login)'),
    );
    expect(hub.total).toBe(total);
    expect(hub.users).toHaveLength(3);
    const last = emu.directory.users.all[total - 1];
    const q = encodeURIComponent(`login: ${last?.login.toUpperCase()}`);
    const found = asObject(await call(emu, 'GET', `/hub/api/rest/users?query=${q}&fields=id`));
    expect(found).toEqual({ skip: 0, top: 100, total: 1, users: [{ type: 'user', id: last?.hubId }] });
  });
});
