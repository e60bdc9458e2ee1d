import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startYouTrackEmulator } from '../../src/emulators/youtrack/index.ts';
import { expectNoDuplicates, Rig } from './rig.ts';
import { startJsonServer } from './servers.ts';

/**
 * Recovery without a reference property or external references (issue 13, points 2 and 3): the
 * natural key is all there is. YouTrack twins share an e-mail (once in another case, once
 * exactly), and the process is killed right after a create, before its link is stored, again and
 * again, so nearly every create goes through recovery. No run may end in an error, and nothing may be duplicated.
 */
describe('recovery on json-server by natural key alone', () => {
  let rig: Rig;
  beforeAll(async () => {
    const yt = await startYouTrackEmulator({
      seed: 'empty',
      users: 6,
      groups: 1,
      orgs: 1,
      randomSeed: 3,
      token: 'perm:test-yt-token-Zq81',
    });
    const crm = await startJsonServer();
    const { referenceProperty: _none, ...profile } = crm.profile;
    rig = new Rig(yt, crm, profile);
    for (const [login, email] of [
      ['twin.one', 'Twin@Example.org'],
      ['twin.two', 'twin@example.org'],
      ['same.one', 'same@example.org'],
      ['same.two', 'same@example.org'],
    ])
      await rig.hub('POST', '/users', { login, name: `${login} Person`, profile: { email: { email } } });
  });
  afterAll(() => rig.close());

  it('links every interrupted create once, quarantines none wrongly, and never fails a cycle', async () => {
    const users = await rig.users();
    const codes: Array<number | null> = [];
    for (let i = 0; i < users.length + 6; i++) {
      const r = await rig.sync({ TANDEM_FAILPOINT: 'after-create:1' });
      expect(r.signal === 'SIGKILL' || r.code === 0, `run ${i}: ${r.code} ${r.stderr}`).toBe(true);
      codes.push(r.code);
      if (r.code === 0) break;
    }
    // Creates go out in parallel chunks, so one kill may leave several creates to recover.
    expect(codes.filter((c) => c === null).length, 'kills').toBeGreaterThanOrEqual(4);

    const last = await rig.sync();
    expect(last.code, last.stderr).toBe(0);
    expect(await rig.withStore((s) => s.pendingWrites())).toHaveLength(0);
    expect(await rig.withStore((s) => s.listQuarantine({ status: 'quarantined' }))).toEqual([]);
    const people = await expectNoDuplicates(rig);
    expect(people).toHaveLength(users.length);

    const list = await rig.tandem(['recover', '--list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('test: 0 interrupted write(s)');
  }, 240_000);

  it('tandem recover --drop closes an interrupted write so the next cycle plans it again', async () => {
    await rig.hub('POST', '/users', {
      login: 'late.comer',
      name: 'Late Comer',
      profile: { email: { email: 'late@example.org' } },
    });
    const killed = await rig.sync({ TANDEM_FAILPOINT: 'before-create:1' });
    expect(killed.signal).toBe('SIGKILL');
    const pending = await rig.withStore((s) => s.pendingWrites());
    expect(pending).toHaveLength(1);
    const list = await rig.tandem(['recover', '--list']);
    expect(list.stdout).toContain(`${pending[0]!.id}  create customcrm Contact`);
    expect((await rig.tandem(['recover', '--drop', '999999'])).code).toBe(1);
    const drop = await rig.tandem(['recover', '--drop', String(pending[0]!.id)]);
    expect(drop.code, drop.stderr).toBe(0);
    expect(await rig.withStore((s) => s.pendingWrites())).toHaveLength(0);
    const after = await rig.sync();
    expect(after.code, after.stderr).toBe(0);
    const people = await expectNoDuplicates(rig);
    expect(people.filter((p) => p.email === 'late@example.org')).toHaveLength(1);
  }, 120_000);
});
