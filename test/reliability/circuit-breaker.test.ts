import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { tandem } from '../helpers/cli.ts';
import { World } from '../helpers/world.ts';
import { recordFigures, writeFastConfig } from './figures.ts';
import type { Contact } from './invariants.ts';
import { FAST, worldBehindProxy, type MisbehavingProxy } from './proxy.ts';

describe('circuit breaker: an upstream mass change stops the cycle before any write', () => {
  let w: World;
  let proxy: MisbehavingProxy;
  beforeAll(async () => {
    ({ w, proxy } = await worldBehindProxy({ users: 80, groups: 4, orgs: 6, randomSeed: 4 }));
    expect((await w.sync()).status).toBe('ok');
  });
  afterAll(async () => {
    await w.close();
    await proxy.close();
  });

  const linkStatuses = async () =>
    (await w.store.listLinks({ flow: 'users' })).map((l) => `${l.id}:${l.status}:${JSON.stringify(l.base)}`);
  const crmWrites = () => w.crm.store.count('contacts') + w.crm.store.count('customers');

  it('a Customcrm that answers an empty list of Contacts blocks the cycle and changes no link', async () => {
    const links = await linkStatuses();
    const records = crmWrites();
    proxy.rewrite = (c) =>
      c.method === 'GET' && c.path.startsWith('/v1/contacts') && c.status === 200
        ? { status: 200, body: JSON.stringify({ data: [], nextCursor: null }) }
        : undefined;
    const r = await w.sync();
    proxy.rewrite = undefined;
    expect(r.status).toBe('blocked');
    expect(r.writes).toBe(0);
    expect(r.message).toMatch(/users flow would/);
    expect(r.message).toMatch(/tandem sync --force/);
    expect(await linkStatuses()).toEqual(links);
    expect(crmWrites()).toBe(records);
    expect((await w.sync()).writes).toBe(0);
  });

  it('80 % of Contacts edited at once block `tandem sync`; `tandem sync --force` carries them', async () => {
    const contacts = await w.crmAll<Contact>('contacts');
    const edited = contacts.slice(0, Math.ceil(contacts.length * 0.8));
    for (const c of edited) w.crm.store.update('contacts', c.Id, { LastName: `Mass ${c.Id}` });
    const cfg = writeFastConfig(w, {
      customcrm: { url: `${proxy.url}/v1`, token: '${CRM_TOKEN}', ...FAST },
    });
    const blocked = await tandem(['sync', '--config', cfg.file], cfg.env);
    expect(blocked.code, blocked.stderr).toBe(EXIT.BLOCKED);
    expect(blocked.stdout + blocked.stderr).toMatch(
      /Stopped before writing: the users flow would change \d+ of \d+/,
    );
    expect(blocked.stdout + blocked.stderr).toMatch(/--force/);
    // Not the token's own user: a CRM edit of that account waits in review (issue 14).
    const me = await w.hub<{ id: string }>('GET', '/users/me?fields=id');
    const links = await Promise.all(edited.map((c) => w.store.findLink({ flow: 'users', crmId: c.Id })));
    const sample = links.find((l) => l && l.ytId !== me.id)!;
    const before = await w.hub<{ name: string }>('GET', `/users/${sample.ytId}?fields=name`);
    expect(before.name).not.toMatch(/Mass/);

    const forced = await tandem(['sync', '--config', cfg.file, '--force', '--json'], cfg.env);
    expect(forced.code, forced.stderr).toBe(0);
    // The token's own user is protected: its CRM edit waits in review instead (issue 14).
    const held = (await w.store.listReviewItems({ status: 'open' })).filter(
      (i) => i.code === 'PROTECTED_ACCOUNT',
    ).length;
    expect((JSON.parse(forced.stdout) as { writes: number }).writes).toBeGreaterThanOrEqual(
      edited.length - held,
    );
    const after = await w.hub<{ name: string }>('GET', `/users/${sample.ytId}?fields=name`);
    expect(after.name).toMatch(/Mass/);
    recordFigures('circuitBreaker', {
      linkedContacts: contacts.length,
      editedAtOnce: edited.length,
      blocked: 2,
      duplicates: 0,
    });
  });
});
