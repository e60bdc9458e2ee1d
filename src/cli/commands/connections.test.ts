import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openStore } from '../../store/index.ts';
import type { NewLink, StateStore } from '../../store/types.ts';
import { run as history } from './history.ts';
import { run as status } from './status.ts';
import { emailChange, nameConflict } from '../../../test/support/dashboard/fixture.ts';

const BREAKER =
  'Stopped before writing: the users flow would change 9 of 10 linked records (90%), above the limit of 50% (maxChangeShare).';

/** Runs a command in this process: exit code and what it printed. */
async function captured(cmd: (argv: string[]) => Promise<number>, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => ((stdout += String(c)), true)) as typeof out;
  process.stderr.write = ((c: string | Uint8Array) => ((stderr += String(c)), true)) as typeof err;
  try {
    return { code: await cmd(argv), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

const person = (i: number, name: string, email: string): NewLink => ({
  flow: 'users',
  ytType: 'User',
  ytId: `yt-${i}`,
  crmType: 'Contact',
  crmId: `C-${i}`,
  origin: 'merged',
  status: 'active',
  base: { fullName: name, email },
  ytHash: null,
  crmHash: null,
  crmVersion: null,
  label: `${name} <${email}>`,
});

async function seed(root: StateStore): Promise<void> {
  const acme = root.forConnection('acme');
  const beta = root.forConnection('beta');
  const ada = await acme.insertLink(person(1, 'Ada Lovelace', 'ada@example.com'));
  await acme.insertLink(person(2, 'Grace Hopper', 'grace@acme.example'));
  const adaAtBeta = await beta.insertLink(person(1, 'Ada Lovelace', 'ada@example.com'));
  const ok = await root.startCycle({ connection: 'acme', kind: 'full' });
  await acme.addConflict(nameConflict(ada, 'Ada King', '2024-06-01T11:00:00Z'));
  await root.finishCycle(ok, { status: 'ok', writes: 3, stats: {} });
  const blocked = await root.startCycle({ connection: 'beta', kind: 'full' });
  await beta.addHistory([emailChange(adaAtBeta, blocked, '2024-06-01T11:30:00Z', 'ada@beta.example')]);
  await root.finishCycle(blocked, { status: 'failed', writes: 0, stats: {}, message: BREAKER });
  await beta.quarantine({
    system: 'customcrm',
    recordType: 'Contact',
    recordId: 'C-9',
    flow: 'users',
    code: 'INVALID_EMAIL',
    property: 'email',
    reason: 'C-9: Email "x" is not an e-mail address; fix it in Customcrm',
  });
  // A later cycle of another connection: the summary must not take it for acme's or beta's.
  const later = await root.startCycle({ connection: 'acme', kind: 'incremental' });
  await root.finishCycle(later, { status: 'ok', writes: 0, stats: {} });
}

describe('status and history with several connections in one SQLite store', () => {
  let dir: string;
  let config: string;
  const cli = (cmd: typeof status, ...args: string[]) => captured(cmd, [...args, '--config', config]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-connections-'));
    const store = `sqlite:${join(dir, 'state.db')}`;
    const connection = (name: string) => ({
      name,
      youtrack: { url: `https://${name}.youtrack.example`, token: 'perm:not-used-here' },
      customcrm: { url: `https://${name}.crm.example/v1`, token: 'crm-not-used-here' },
    });
    config = join(dir, 'tandem.yaml');
    writeFileSync(config, stringify({ store, connections: ['acme', 'beta', 'gamma'].map(connection) }));
    const root = await openStore(store);
    await seed(root);
    await root.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('status sums up every connection, names the failing one and exits 5 for its tripped breaker', async () => {
    const r = await cli(status);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(5);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('3 connections, 1 failing: beta.');
    expect(lines.find((l) => l.startsWith('acme '))).toMatch(/#3 incremental at \S+\s+ok\s+2\s+1\s+0\s+0$/);
    expect(lines.find((l) => l.startsWith('beta '))).toMatch(/#2 full at \S+\s+blocked\s+1\s+0\s+1\s+0$/);
    expect(lines.find((l) => l.startsWith('gamma '))).toMatch(/none yet\s+—\s+0\s+0\s+0\s+0$/);
    expect(r.stdout).toContain(`beta: ${BREAKER}`);
  });

  it('status --json gives one object per connection, in the order of the file', async () => {
    const r = await cli(status, '--json');
    const all = JSON.parse(r.stdout) as Array<{
      connection: string;
      conflicts: { open: number };
      breakerTripped: boolean;
      lastCycle: { id: number } | null;
    }>;
    expect(
      all.map((s) => [s.connection, s.conflicts.open, s.breakerTripped, s.lastCycle?.id ?? null]),
    ).toEqual([
      ['acme', 1, false, 3],
      ['beta', 0, true, 2],
      ['gamma', 0, false, null],
    ]);
    expect(r.code).toBe(5);
  });

  it('status --connection shows one connection in full, as one object with --json', async () => {
    const acme = await cli(status, '--connection', 'acme');
    expect(acme.code).toBe(0);
    expect(acme.stdout).toContain('Connection: acme');
    expect(acme.stdout).toContain('users          2 active');
    expect(acme.stdout).toMatch(/Last cycle: #3 incremental ok at .*, 0 writes/);
    const beta = await cli(status, '--connection', 'beta', '--json');
    expect(beta.code).toBe(5);
    expect(JSON.parse(beta.stdout)).toMatchObject({
      connection: 'beta',
      quarantine: { quarantined: 1 },
      lastCycle: { status: 'failed', message: BREAKER },
    });
    const unknown = await cli(status, '--connection', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('no connection named "nope" (known: acme, beta, gamma)');
  });

  it('history searches every connection and names the connection of each record', async () => {
    const r = await cli(history, 'ada@example');
    expect(r.code).toBe(0);
    const heads = r.stdout.split('\n').filter((l) => !l.startsWith('  '));
    expect(heads.filter(Boolean).map((l) => l.split(':')[0])).toEqual(['acme', 'beta']);
    expect(r.stdout).toMatch(
      /beta: Ada Lovelace.*\n.*updated\s+customcrm\s+from youtrack\s+email: "ada@beta/,
    );
    const json = JSON.parse((await cli(history, 'ada@example', '--json')).stdout) as Array<{
      connection: string;
    }>;
    expect(json.map((h) => h.connection)).toEqual(['acme', 'beta']);
  });

  it('history --connection keeps to that connection, and says where it looked when nothing matches', async () => {
    const r = await cli(history, 'ada@example', '--connection', 'beta');
    expect(r.stdout.startsWith('Ada Lovelace')).toBe(true);
    expect(r.stdout).not.toContain('acme');
    const none = await cli(history, 'grace');
    expect(none.stdout).toContain('acme: Grace Hopper');
    const missing = await cli(history, 'nobody');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('No linked record matches "nobody" in any of the 3 connections.\n');
  });
});
