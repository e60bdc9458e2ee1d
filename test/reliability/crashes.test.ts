import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_TOKEN, World, YT_TOKEN } from '../helpers/world.ts';
import { tandem } from '../helpers/cli.ts';
import { expectNoSecrets, recordFigures, writeFastConfig } from './figures.ts';
import { checkLinks, readBothSides, recordCount, type HubUser } from './invariants.ts';

/**
 * Kill points of the first sync, each one a failpoint with its count (see src/engine/failpoints.ts).
 * Every run of the CLI dies at its point and the next one resumes from the same store, so the list
 * walks through the whole first sync: reads, journaled creates not yet sent, creates not yet linked,
 * a chunk's remote writes done but its links and bases not stored (before-commit), a batch of
 * creates answered but none of its records linked yet (after-batch: a create interrupted inside a
 * batch must not duplicate), and updates of the edits made between kills.
 */
const KILL_POINTS = [
  'after-read:40',
  'before-create:1',
  'after-batch:1',
  'after-create:1',
  'after-create:20',
  'before-commit:1',
  'after-commit:1',
  'after-read:1900',
  'after-batch:2',
  'after-create:25',
  'before-create:25',
  'after-update:1',
  'after-create:30',
  'before-commit:2',
  'after-commit:2',
  'after-read:2100',
  'after-create:30',
  'after-update:2',
  'before-create:40',
  'after-create:35',
  'before-commit:1',
  'after-read:800',
  'after-batch:3',
  'after-create:35',
  'after-commit:1',
  'after-update:1',
  'after-create:25',
  'before-create:50',
  'after-create:40',
  'before-commit:2',
  'after-update:2',
  'after-create:40',
  'after-commit:3',
  'before-create:10',
];
const MERGED_CONTACTS = 220;

describe('crashes: SIGKILL at 30+ points of a first sync of 2,000+ records', () => {
  let w: World;
  let cfg: { file: string; env: Record<string, string> };
  beforeAll(async () => {
    w = await World.start({
      youtrack: { seed: 'empty', users: 1650, groups: 120, orgs: 230, randomSeed: 5 },
      customcrm: { seed: 'empty', customers: 40, randomSeed: 5 },
    });
    cfg = writeFastConfig(w);
    // Batches of 8 (a chunk of 64 creates, as with single writes), so each run between two kills
    // still leaves most of the first sync to the next one.
    const doc = parse(readFileSync(cfg.file, 'utf8')) as { connections: Array<{ customcrm: object }> };
    doc.connections[0]!.customcrm = { ...doc.connections[0]!.customcrm, profile: { batch: { maxItems: 8 } } };
    writeFileSync(cfg.file, stringify(doc));
  });
  afterAll(() => w.close());

  it('resumes after every kill; every record gets exactly one counterpart and every edit arrives', async () => {
    // Contacts that match users by e-mail but carry other names: the first sync links and updates them.
    const users = (await w.hubAll<HubUser>('users', 'id,login,name,guest,profile(email(email))')).filter(
      (u) => !u.guest && u.profile?.email?.email,
    );
    const seen = new Set<string>();
    const mergeable = users.filter((u) => {
      const e = u.profile!.email!.email!.toLowerCase();
      if (seen.has(e)) return false;
      seen.add(e);
      return true;
    });
    for (const u of mergeable.filter((_, i) => i % 7 === 3).slice(0, MERGED_CONTACTS))
      w.crm.store.create('contacts', {
        FirstName: 'Old',
        LastName: `Name ${u.login}`,
        Email: u.profile!.email!.email!,
        Active: true,
      });
    const before = recordCount(await readBothSides(w));
    expect(before.youtrack + before.customcrm).toBeGreaterThanOrEqual(2000);

    const outputs: Record<string, string> = {};
    const kills: string[] = [];
    const edits = new Map<string, { check: () => Promise<void> }>();
    for (const [i, point] of KILL_POINTS.entries()) {
      const r = await tandem(['sync', '--config', cfg.file, '--json'], {
        ...cfg.env,
        TANDEM_FAILPOINT: point,
      });
      outputs[`run ${i} (${point}) stdout`] = r.stdout;
      outputs[`run ${i} (${point}) stderr`] = r.stderr;

      if (r.signal === 'SIGKILL') kills.push(point);
      else expect(r.code, `run ${i} (${point}) without a kill: ${r.stderr}`).toBe(0);
      await editLinkedRecords(w, i, edits);
    }
    expect(kills.length, `kills: ${kills.join(' ')}`).toBeGreaterThanOrEqual(30);
    for (const kind of [
      'after-read',
      'before-create',
      'after-create',
      'before-commit',
      'after-commit',
      'after-update',
      'after-batch',
    ])
      expect(kills.filter((k) => k.startsWith(kind)).length, kind).toBeGreaterThanOrEqual(3);

    const last = await tandem(['sync', '--config', cfg.file, '--json'], cfg.env);
    expect(last.code, last.stderr).toBe(0);
    outputs['final run'] = last.stdout + last.stderr;
    expect(await w.store.pendingWrites()).toHaveLength(0);

    const { duplicates, links } = await checkLinks(w, before);
    expect(duplicates).toBe(0);
    for (const [what, e] of edits)
      await e.check().catch((err: Error) => expect.fail(`${what}: ${err.message}`));

    const again = await tandem(['sync', '--config', cfg.file, '--json'], cfg.env);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { writes: number }).writes).toBe(0);

    const scanned = expectNoSecrets([YT_TOKEN, CRM_TOKEN], {
      ...outputs,
      'state file': readFileSync(w.config.store.replace(/^sqlite:/, '')),
    });
    recordFigures('crashes', {
      records: before.youtrack + before.customcrm,
      kills: kills.length,
      killPoints: kills,
      links,
      editsMadeBetweenKills: edits.size,
      duplicates,
      secretScanBytes: scanned,
    });
  }, 300_000);
});

/** One edit on each side, of records already linked, between two kills; remembers how to check it. */
async function editLinkedRecords(
  w: World,
  round: number,
  edits: Map<string, { check: () => Promise<void> }>,
): Promise<void> {
  const orgLinks = (await w.store.listLinks({ flow: 'organizations' })).filter((l) => l.status === 'active');
  const userLinks = (await w.store.listLinks({ flow: 'users' })).filter((l) => l.status === 'active');
  const org = orgLinks[(round * 13) % Math.max(orgLinks.length, 1)];
  if (org && !edits.has(`org ${org.ytId}`)) {
    const description = `Edited in YouTrack before kill ${round}`;
    await w.hub('POST', `/organizations/${org.ytId}`, { description });
    edits.set(`org ${org.ytId}`, {
      check: async () => {
        const link = (await w.store.findLink({ flow: 'organizations', ytId: org.ytId }))!;
        const c = await w.crmApi<{ Description: string | null }>('GET', `/customers/${link.crmId}`);
        expect(c.Description).toBe(description);
      },
    });
  }
  const user = userLinks[(round * 31) % Math.max(userLinks.length, 1)];
  if (user && !edits.has(`contact ${user.crmId}`)) {
    const LastName = `Edited-in-CRM ${round}`;
    await w.crmApi('PATCH', `/contacts/${user.crmId}`, { LastName });
    edits.set(`contact ${user.crmId}`, {
      check: async () => {
        const u = await w.hub<{ name: string }>('GET', `/users/${user.ytId}?fields=name`);
        expect(u.name.endsWith(LastName)).toBe(true);
      },
    });
  }
}
