import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { World, YT_TOKEN, CRM_TOKEN } from '../helpers/world.ts';
import { tandem, writeWorldConfig } from '../helpers/cli.ts';
import type { HubUser } from '../helpers/wire.ts';

describe('tandem CLI over real processes', () => {
  let w: World;
  let cfg: { file: string; env: Record<string, string> };
  beforeAll(async () => {
    w = await World.start();
    cfg = writeWorldConfig(w);
  });
  afterAll(() => w.close());

  it('plan shows the first cycle and writes nothing', async () => {
    const r = await tandem(['plan', '--config', cfg.file, '--json'], cfg.env);
    expect(r.stderr).not.toContain(YT_TOKEN);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      connections: Array<{ plans: Array<{ flow: string; actions: unknown[] }> }>;
    };
    expect(plan.connections[0]!.plans.map((p) => p.flow)).toEqual(['organizations', 'groups', 'users']);
    expect(plan.connections[0]!.plans.every((p) => p.actions.length > 0)).toBe(true);
    expect(await w.store.countLinks()).toEqual([]);
  });

  it('survives a SIGKILL between a create and its link, and the next run duplicates nothing (behaviour 6)', async () => {
    const contactsBefore = (await w.crmAll('contacts')).length;
    const killed = await tandem(['sync', '--config', cfg.file, '--json'], {
      ...cfg.env,
      TANDEM_FAILPOINT: 'after-create:12',
    });
    expect(killed.signal).toBe('SIGKILL');
    // The chunk's creates were journaled before any was sent; the one killed after its create is among them.
    const pending = await w.store.pendingWrites();
    expect(pending.length).toBeGreaterThanOrEqual(1);
    const running = async () =>
      (await w.store.listCycles({ limit: 100 })).filter((c) => c.status === 'running').map((c) => c.id);
    const killedCycles = await running();
    expect(killedCycles).toHaveLength(1);

    const r = await tandem(['sync', '--config', cfg.file, '--json'], cfg.env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      writes: number;
      flows: Record<string, Record<string, Record<string, number>>>;
    };
    expect(out.flows['users']!['customcrm']).toHaveProperty('created');
    expect(await w.store.pendingWrites()).toHaveLength(0);
    // The killed cycle no longer shows as running: the next cycle closed it.
    expect(await running()).toEqual([]);
    const cycles = await w.store.listCycles({ limit: 100 });
    expect(cycles.find((c) => c.id === killedCycles[0])?.status).toBe('interrupted');

    const users = (await w.hubAll<HubUser & { guest?: boolean }>('users', 'id,login,guest')).filter(
      (u) => !u.guest,
    );
    const userLinks = await w.store.listLinks({ flow: 'users' });
    expect(userLinks).toHaveLength(users.length);
    const contacts = await w.crmAll<{ Id: string }>('contacts');
    expect(contacts.length).toBe(
      contactsBefore + userLinks.filter((l) => l.origin === 'created-in-customcrm').length,
    );
    const customers = await w.crmAll<{ Id: string; Name: string }>('customers');
    const linkedCustomers = [
      ...(await w.store.listLinks({ flow: 'organizations' })),
      ...(await w.store.listLinks({ flow: 'groups' })),
    ];
    expect(new Set(linkedCustomers.map((l) => l.crmId)).size).toBe(linkedCustomers.length);
    expect(customers.length).toBeLessThanOrEqual(linkedCustomers.length);
  });

  it('sync --json reports per flow and system, and a no-change run writes nothing', async () => {
    const r = await tandem(['sync', '--config', cfg.file, '--json'], cfg.env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      writes: number;
      flows: Record<string, Record<string, Record<string, number>>>;
    };
    expect(out.writes).toBe(0);
    for (const flow of ['organizations', 'groups', 'users'])
      for (const system of ['youtrack', 'customcrm'])
        expect(Object.keys(out.flows[flow]![system]!).sort()).toEqual([
          'conflicts',
          'created',
          'deleted',
          'errors',
          'read',
          'updated',
        ]);
    expect(out.flows['users']!['youtrack']!['read']).toBeGreaterThan(20);
  });

  it('logs JSON lines with --log-format json, with every HTTP call and no token', async () => {
    const r = await tandem(['sync', '--config', cfg.file, '--log-format', 'json', '--verbose'], cfg.env);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    const records = lines.map(
      (l) => JSON.parse(l) as { time: string; level: string; msg: string; url?: string },
    );
    expect(records.every((x) => typeof x.time === 'string' && typeof x.level === 'string')).toBe(true);
    expect(records.some((x) => x.msg === 'http' && x.url?.includes('/hub/api/rest/'))).toBe(true);
    expect(r.stderr).not.toContain(YT_TOKEN);
    expect(r.stderr).not.toContain(CRM_TOKEN);
  });

  it('status and history show what happened', async () => {
    const s = await tandem(['status', '--config', cfg.file, '--json'], cfg.env);
    expect(s.code).toBe(0);
    const [status, ...others] = JSON.parse(s.stdout) as Array<{
      connection: string;
      links: Record<string, Record<string, number>>;
      lastCycle: { status: string };
    }>;
    expect(others).toEqual([]);
    expect(status!.connection).toBe('test');
    expect(status!.links['users']!['active']).toBeGreaterThan(20);
    expect(status!.lastCycle.status).toBe('ok');
    const h = await tandem(['history', 'jiri.novak@zelezna.example', '--config', cfg.file], cfg.env);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain('Jiří Novák');
    expect(h.stdout).toMatch(/created/);
  });

  it('explains a missing secret, naming the path and the variable', async () => {
    const r = await tandem(['sync', '--config', cfg.file], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/connections\.0\.youtrack\.token/);
    expect(r.stderr).toMatch(/YT_TOKEN/);
  });

  it('explains a wrong token without printing it', async () => {
    const r = await tandem(['sync', '--config', cfg.file], {
      ...cfg.env,
      YT_TOKEN: 'perm:wrong-token-xyz-123',
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/token/i);
    expect(r.stderr).not.toContain('wrong-token-xyz-123');
  });
});

describe('tandem init', () => {
  it('writes a commented configuration that validates once its variables are set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-init-'));
    const file = join(dir, 'tandem.yaml');
    const r = await tandem(['init', '--config', file]);
    expect(r.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('${YOUTRACK_TOKEN}');
    expect(text).toMatch(/^#/m);
    const { parse } = await import('yaml');
    const config = parseConfig(parse(text), {
      YOUTRACK_TOKEN: YT_TOKEN,
      CUSTOMCRM_TOKEN: CRM_TOKEN,
      TANDEM_DASHBOARD_TOKEN: 'dash-token-123-long-enough',
    });
    expect(config.connections[0]!.sync.deletes).toBe('keep');
    expect((await tandem(['init', '--config', file])).code).toBe(2);
  });
});
