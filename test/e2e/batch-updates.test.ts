import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import { worldBehindProxy, type MisbehavingProxy } from '../reliability/proxy.ts';

/**
 * Customcrm updates go out in batch requests (`POST /v1/contacts/batch/update`, issue 16), over
 * real HTTP through a loopback proxy that only records the calls. (An item whose record changed
 * since it was read is its own STALE answer: `src/connectors/customcrm/batch.test.ts`.)
 */
describe('batch updates', () => {
  let w: World;
  let proxy: MisbehavingProxy;
  const calls: string[] = [];
  beforeAll(async () => {
    ({ w, proxy } = await worldBehindProxy({ users: 40, groups: 2, orgs: 2, randomSeed: 11 }));
    proxy.rewrite = (c) => {
      calls.push(`${c.method} ${c.path.replace(/\?.*$/, '')}`);
      return undefined;
    };
  });
  afterAll(async () => {
    await w.close();
    await proxy.close();
  });

  it('sends the changes of many Contacts in batch requests, and each arrives', async () => {
    expect((await w.sync()).status).toBe('ok');
    const links = await w.store.listLinks({ flow: 'users' });
    expect(links.length).toBeGreaterThanOrEqual(30);
    const renamed = links.slice(0, 30);
    for (const [i, l] of renamed.entries())
      w.yt.directory.updateUser(l.ytId, { name: `Renamed Person${String.fromCharCode(97 + (i % 26))}${i}` });

    calls.length = 0;
    // Most of the directory changes at once: past the circuit breaker on purpose.
    const report = await w.sync({ force: true });
    expect(report.status, report.message).toBe('ok');
    expect(report.stats.users.customcrm.updated).toBe(30);
    expect(calls.filter((c) => c === 'POST /v1/contacts/batch/update').length).toBeGreaterThanOrEqual(1);
    expect(calls.filter((c) => c.startsWith('PATCH /v1/contacts/'))).toEqual([]);

    const contacts = await w.crmAll<{ Id: string; FirstName: string; LastName: string }>('contacts');
    for (const [i, l] of renamed.entries()) {
      const c = contacts.find((x) => x.Id === l.crmId);
      expect(`${c?.FirstName} ${c?.LastName}`).toBe(
        `Renamed Person${String.fromCharCode(97 + (i % 26))}${i}`,
      );
    }
    expect((await w.sync()).writes).toBe(0);
  });
});
