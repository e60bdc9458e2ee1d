import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'tandem.js');

export interface Emulator {
  url: string;
  stop(): void;
}

/** Starts an emulator in its own process, so the bench process's memory figures are Tandem's alone. */
export async function startEmulator(args: string[]): Promise<Emulator> {
  const proc: ChildProcess = spawn(process.execPath, [BIN, 'emulate', ...args, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`emulator ${args[0]} exited with ${code}: ${out}`)));
  });
  return { url, stop: () => proc.kill('SIGTERM') };
}

export interface Directory {
  users: number;
  groups: number;
  organizations: number;
}

export const YT_TOKEN = 'perm:bench';
export const CRM_TOKEN = 'crm-bench';

export function startYouTrack(d: Directory, extra: string[] = []): Promise<Emulator> {
  return startEmulator([
    'youtrack',
    '--users',
    String(d.users),
    '--groups',
    String(d.groups),
    '--orgs',
    String(d.organizations),
    '--token',
    YT_TOKEN,
    ...extra,
  ]);
}

/** An empty Customcrm with its data in `db`; `extra` e.g. `--faults latency=50-50`. */
export function startCustomcrm(db: string, extra: string[] = []): Promise<Emulator> {
  return startEmulator(['customcrm', '--seed', 'empty', '--db', db, '--token', CRM_TOKEN, ...extra]);
}
