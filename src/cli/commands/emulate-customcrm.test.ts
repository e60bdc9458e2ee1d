import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateResponse } from '../../../test/support/emulators/customcrm-openapi.ts';

const BIN = fileURLToPath(new URL('../../../bin/tandem.js', import.meta.url));

describe('tandem emulate customcrm', () => {
  it('serves generated data on the printed port and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crm-cli-'));
    const child = spawn(
      process.execPath,
      [
        BIN,
        'emulate',
        'customcrm',
        '--port',
        '0',
        '--db',
        join(dir, 'c.sqlite'),
        '--customers',
        '3',
        '--contacts',
        '5',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const m =
        /^Customcrm reference server on (http:\/\/127\.0\.0\.1:(\d+))\/v1 — token crm-demo-token$/.exec(line);
      expect(m?.[2]).not.toBe('0');
      const res = await fetch(`${m?.[1]}/v1/contacts`, {
        headers: { authorization: 'Bearer crm-demo-token' },
      });
      const body = (await res.json()) as { data: unknown[] };
      expect(validateResponse('GET', '/contacts', res.status, body, res.headers)).toEqual([]);
      expect(body.data).toHaveLength(5);
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 naming the flag on a bad --disable', () => {
    const r = spawnSync(process.execPath, [BIN, 'emulate', 'customcrm', '--disable', 'etag,teleport'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown capability "teleport"');
  });
});
