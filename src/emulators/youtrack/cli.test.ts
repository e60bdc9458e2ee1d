import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('tandem emulate youtrack', () => {
  it('prints its URL and token, serves the API, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['bin/tandem.js', 'emulate', 'youtrack', '--seed', 'demo', '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      let out = '';
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.once('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      const m = /^YouTrack emulator on (http:\/\/127\.0\.0\.1:(\d+)) — token perm:demo$/m.exec(line);
      expect(m).not.toBeNull();
      expect(Number(m?.[2])).toBeGreaterThan(0);
      const res = await fetch(`${m?.[1]}/api/users?fields=id,login,ringId&$top=2`, {
        headers: { authorization: 'Bearer perm:demo' },
      });
      const users = (await res.json()) as Array<{ $type: string; login: string }>;
      expect(users).toHaveLength(2);
      expect(users[0]).toMatchObject({ $type: 'User', login: 'admin' });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
