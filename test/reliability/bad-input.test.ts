import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../helpers/world.ts';
import { recordFigures } from './figures.ts';
import { readBothSides, type Contact } from './invariants.ts';
import { worldBehindProxy, type MisbehavingProxy } from './proxy.ts';

/** Users with bad data, made directly in the emulator's directory, as an old import would have. */
const BAD_USERS = [
  { login: 'bad.email', name: 'Bad Email', email: 'not-an-email', code: 'INVALID_EMAIL', property: 'email' },
  {
    login: 'ctrl.chars',
    name: 'Ctrl\u0007 Chars',
    email: 'ctrl@example.com',
    code: 'INVALID_CHARACTERS',
    property: 'fullName',
  },
  {
    login: 'long.name',
    name: `Long ${'x'.repeat(10_000)}`,
    email: 'long@example.com',
    code: 'TOO_LONG',
    property: 'fullName',
  },
];
/** Legal text that must arrive unchanged. */
const ODD_BUT_LEGAL = [
  { login: 'rtl.text', name: 'مريم الحسن', email: 'maryam@example.com' },
  { login: 'emoji.user', name: 'Zoë 🚀 Smile', email: 'emoji@example.com' },
  { login: 'html.user', name: '<b>Bold</b> <script>x()</script>', email: 'html@example.com' },
  { login: 'empty.name', name: '', email: 'empty@example.com' },
  { login: 'dup.one', name: 'Dup One', email: 'dup@example.com' },
  { login: 'dup.two', name: 'Dup Two', email: 'DUP@example.com ' },
];

describe('bad input: each bad record is quarantined with a code, the rest syncs, nothing crashes', () => {
  let w: World;
  let proxy: MisbehavingProxy;
  beforeAll(async () => {
    ({ w, proxy } = await worldBehindProxy({ users: 30, groups: 3, orgs: 3, randomSeed: 8 }));
    for (const u of [...BAD_USERS, ...ODD_BUT_LEGAL])
      w.yt.directory.createUser({ login: u.login, name: u.name, email: u.email });
    // Customers the Customcrm API would never return: wrong JSON types, a missing required Name.
    proxy.rewrite = (c) => {
      if (c.method !== 'GET' || !c.path.startsWith('/v1/customers?') || c.status !== 200) return undefined;
      const page = JSON.parse(c.body) as { data: unknown[]; nextCursor: string | null };
      if (c.path.includes('cursor=')) return undefined;
      const at = new Date().toISOString();
      page.data.push(
        { Id: 'bad-type', Version: 1, UpdatedAt: at, CreatedAt: at, Name: 12345, Description: ['a'] },
        { Id: 'no-name', Version: 1, UpdatedAt: at, CreatedAt: at, Description: 'has no Name' },
      );
      return { status: 200, body: JSON.stringify(page) };
    };
  });
  afterAll(async () => {
    await w.close();
    await proxy.close();
  });

  it('quarantines each bad record with the record, the property and the reason; every other record syncs', async () => {
    const first = await w.sync();
    expect(first.status).toBe('ok');
    const q = await w.store.listQuarantine({ status: 'quarantined' });
    const users = await w.hubAll<{ id: string; login: string }>('users', 'id,login');
    for (const bad of BAD_USERS) {
      const id = users.find((u) => u.login === bad.login)!.id;
      const entry = q.find((e) => e.recordId === id);
      expect(entry, bad.login).toBeDefined();
      expect(entry!.code).toBe(bad.code);
      expect(entry!.property).toContain(bad.property);
      expect(entry!.reason).toContain(bad.login);
      expect(entry!.reason).toMatch(/Correct it in YouTrack/);
      expect(await w.store.findLink({ flow: 'users', ytId: id })).toBeNull();
    }
    for (const id of ['bad-type', 'no-name']) {
      const entry = q.find((e) => e.recordId === id);
      expect(entry, id).toBeDefined();
      expect(entry!.code).toMatch(/WRONG_TYPE|REQUIRED/);
      expect(entry!.reason).toContain(id);
    }
    const sides = await readBothSides(w);
    const contacts = new Map(sides.contacts.map((c) => [c.Id, c]));
    for (const u of ODD_BUT_LEGAL.filter((x) => !x.login.startsWith('dup'))) {
      const id = users.find((x) => x.login === u.login)!.id;
      const link = await w.store.findLink({ flow: 'users', ytId: id });
      expect(link, u.login).not.toBeNull();
      const c = contacts.get(link!.crmId) as Contact;
      // YouTrack stores an empty full name as the login; whatever it holds arrives unchanged.
      const ytName = sides.users.find((x) => x.id === id)!.name;
      expect(ytName).toBe(u.name || u.login);
      expect(`${c.FirstName ?? ''} ${c.LastName ?? ''}`.trim()).toBe(ytName);
    }
    const dups = users.filter((u) => u.login.startsWith('dup.'));
    const dupLinks = await Promise.all(dups.map((u) => w.store.findLink({ flow: 'users', ytId: u.id })));
    const crmIds = dupLinks.flatMap((l) => (l ? [l.crmId] : []));
    expect(new Set(crmIds).size).toBe(crmIds.length);
    const good = sides.users.filter((u) => !BAD_USERS.some((b) => b.login === u.login));
    for (const u of good)
      expect(await w.store.findLink({ flow: 'users', ytId: u.id }), u.login).not.toBeNull();
  });

  it('retries quarantined records on later cycles and releases one once it is corrected', async () => {
    const second = await w.sync();
    expect(second.status).toBe('ok');
    expect((await w.store.listQuarantine({ status: 'quarantined' })).length).toBeGreaterThanOrEqual(5);
    const bad = w.yt.directory.userByLogin('bad.email')!;
    w.yt.directory.updateUser(bad.hubId, { email: 'fixed@example.com' });
    expect((await w.sync()).status).toBe('ok');
    const link = await w.store.findLink({ flow: 'users', ytId: bad.hubId });
    expect(link).not.toBeNull();
    const q = await w.store.listQuarantine({ status: 'quarantined' });
    expect(q.some((e) => e.recordId === bad.hubId)).toBe(false);
  });

  it('a Customcrm answering 200 with a body that is not JSON fails the cycle with a code and loses nothing', async () => {
    const links = await w.store.countLinks();
    const rewrite = proxy.rewrite;
    proxy.rewrite = (c) =>
      c.method === 'GET' && c.path.startsWith('/v1/contacts')
        ? { status: 200, body: '<html><body>Maintenance</body></html>', contentType: 'application/json' }
        : undefined;
    let code: string | undefined;
    try {
      const r = await w.sync();
      expect(r.status).not.toBe('ok');
      code = r.message;
    } catch (err) {
      code = (err as { code?: string }).code;
      expect(code).toMatch(/^[A-Z_]+$/);
    }
    proxy.rewrite = rewrite;
    expect(code).toBeDefined();
    expect(await w.store.countLinks()).toEqual(links);
    const after = await w.sync();
    expect(after.status).toBe('ok');
    recordFigures('badInput', {
      badRecords: BAD_USERS.length + 2,
      oddButLegal: ODD_BUT_LEGAL.length,
      quarantined: (await w.store.listQuarantine({ status: 'quarantined' })).length,
      nonJsonAnswer: code,
      duplicates: 0,
    });
  });
});
