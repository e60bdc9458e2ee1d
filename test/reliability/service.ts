import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from '../helpers/cli.ts';

export interface RunningTandem {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the dashboard address once `tandem run` has announced it. */
  url: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `tandem run` as a child process, so that a test can send it SIGTERM. */
export function startRun(config: string, env: Record<string, string>): RunningTandem {
  const child = spawn(process.execPath, [BIN, 'run', '--config', config, '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let announce: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (announce = resolve));
  const onData = (d: Buffer) => {
    out += d.toString();
    const m = /dashboard on (http:\/\/[^/\s"]+)/.exec(out);
    if (m) announce(m[1]!);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, url, exited };
}

/** Polls `check` on the event loop (no Clock reaches into a child process) until it holds. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
