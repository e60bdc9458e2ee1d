import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tandem, writeWorldConfig } from '../helpers/cli.ts';
import { World } from '../helpers/world.ts';
import { startRun, until } from '../reliability/service.ts';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};

/** One line on stderr and no stack trace: what a person reads when a start fails. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('the command line (issue 15, findings 9-14)', () => {
  let w: World;
  beforeAll(async () => {
    w = await World.start();
  });
  afterAll(() => w?.close());

  it('prints --version and every help on standard output', async () => {
    const v = await tandem(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    for (const args of [
      ['--help'],
      ['emulate', '--help'],
      ['emulate'],
      ['run', '--help'],
      ['emulate', 'youtrack', '--help'],
    ]) {
      const r = await tandem(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/Usage/);
      expect(r.stderr, args.join(' ')).toBe('');
    }
    expect((await tandem(['emulate', '--help'])).stdout).toContain('tandem emulate customcrm');
  });

  it('answers a bad flag with one clear line and exit 2 (finding 10)', async () => {
    const bad = await tandem(['run', '--port', 'abc']);
    expect(bad.code).toBe(2);
    expect(oneLine(bad.stderr)).toMatch(/--port needs a port number from 0 to 65535, got "abc"/);
    const unknown = await tandem(['sync', '--colour']);
    expect(unknown.code).toBe(2);
    expect(oneLine(unknown.stderr)).toMatch(/tandem sync: Unknown option '--colour'/);
  });

  it('names a port in use in one line, exits 3 (finding 10)', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { file, env } = writeWorldConfig(w);
      const r = await tandem(['run', '--config', file, '--port', String(port)], env);
      expect(r.code).toBe(3);
      expect(oneLine(r.stderr)).toContain(`port ${port} on 127.0.0.1 is in use`);
    } finally {
      blocker.close();
    }
  });

  it('a start with a rejected token exits with its code instead of hanging with the port bound (finding 9)', async () => {
    const { file, env } = writeWorldConfig(w);
    const started = Date.now();
    const r = await tandem(
      ['run', '--config', file, '--port', '0'],
      { ...env, YT_TOKEN: 'perm:wrong-token-0000' },
      60_000,
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.stderr).not.toMatch(/youtrack: youtrack:/i);
    expect(r.stderr).not.toContain('perm:wrong-token-0000');
  });

  it('refuses unknown keys, naming the path and the nearest valid key (finding 11)', async () => {
    const { file, env } = writeWorldConfig(w, { sync: { mergeOrganisationsByName: true } });
    const r = await tandem(['sync', '--config', file], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('connections.0.sync.mergeOrganisationsByName');
    expect(r.stderr).toContain('did you mean "mergeOrganizationsByName"');
  });

  it('plan and sync do not ask for the dashboard token; every missing variable is named at once (finding 13)', async () => {
    const { file, env } = writeWorldConfig(w);
    const doc = readFileSync(file, 'utf8');
    writeFileSync(file, `${doc}server:\n  token: \${TANDEM_DASHBOARD_TOKEN}\n`);
    const plan = await tandem(['plan', '--config', file], env);
    expect(plan.code, plan.stderr).toBe(0);
    const missing = await tandem(['sync', '--config', file], {});
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('YT_TOKEN, CRM_TOKEN are not set');
    const run = await tandem(['run', '--config', file, '--port', '0'], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('TANDEM_DASHBOARD_TOKEN');
  });

  it('refuses a second process on the same SQLite store (finding 12)', async () => {
    const { file, env } = writeWorldConfig(w, { schedule: { intervalSeconds: 3600 } });
    const running = startRun(file, env);
    try {
      await running.url;
      await until(() => /cycle finished/.test(running.output()));
      const second = await tandem(['sync', '--config', file], env);
      expect(second.code).toBe(3);
      expect(oneLine(second.stderr)).toContain('in use by another tandem process');
      // Readers still work while it runs.
      expect((await tandem(['status', '--config', file], env)).code).not.toBe(3);
    } finally {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    expect(running.output()).not.toContain('?token=');
    expect(running.output()).toMatch(/log in with http:\/\/127\.0\.0\.1:\d+\/login\//);
  });
});

describe('tandem demo under a hostile request (finding 1)', () => {
  it('answers GET // and keeps running; on SIGTERM it removes its temporary folder', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--interval', '3600', '--log-format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await until(() => /dashboard\s+http:\/\/127\.0\.0\.1:\d+\/login\//.test(out));
      expect(out).not.toContain('?token=');
      const base = /dashboard\s+(http:\/\/127\.0\.0\.1:\d+)\/login\//.exec(out)![1]!;
      const port = Number(new URL(base).port);
      const answer = await new Promise<string>((resolve) => {
        let got = '';
        const socket = connect(port, '127.0.0.1', () =>
          socket.write('GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        );
        socket.on('data', (d: Buffer) => (got += d.toString()));
        socket.on('close', () => resolve(got));
      });
      expect(answer).toMatch(/^HTTP\/1.1 400/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const store = /state store\s+(\S+)/.exec(out)?.[1];
    expect(store).toBeTruthy();
    expect(existsSync(store!)).toBe(false);
  });
});
