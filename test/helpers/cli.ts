import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { World } from './world.ts';
import { CRM_TOKEN, YT_TOKEN } from './world.ts';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tandem.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `tandem` binary in a child process. */
export function tandem(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A configuration file for the World's emulators and store, with the secrets as ${ENV} references. */
export function writeWorldConfig(
  w: World,
  extra: Record<string, unknown> = {},
): { file: string; env: Record<string, string> } {
  const file = join(w.dir, 'tandem.yaml');
  const doc = {
    store: w.config.store,
    connections: [
      {
        name: 'test',
        youtrack: { url: w.yt.url, token: '${YT_TOKEN}', retry: { baseDelayMs: 1, maxDelayMs: 20 } },
        customcrm: {
          url: `${w.crm.url}/v1`,
          token: '${CRM_TOKEN}',
          retry: { baseDelayMs: 1, maxDelayMs: 20 },
        },
        ...extra,
      },
    ],
  };
  writeFileSync(file, stringify(doc));
  return { file, env: { YT_TOKEN, CRM_TOKEN } };
}
