import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { CRM_TOKEN, YT_TOKEN, type World } from '../helpers/world.ts';

const DIR = join(import.meta.dirname, '..', '..', 'test-artifacts');
const FILE = join(DIR, 'reliability-figures.json');
const LOCK = `${FILE}.lock`;

/**
 * Records one suite's figures (cases, faults injected, kills, records, duplicates found) in
 * test-artifacts/reliability-figures.json for docs/reliability.md. Suites run in parallel workers,
 * so the read-modify-write is guarded by an exclusive lock file.
 */
export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  mkdirSync(DIR, { recursive: true });
  const deadline = Date.now() + 5_000;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(LOCK, 'wx');
    } catch {
      if (Date.now() > deadline) rmSync(LOCK, { force: true });
    }
  }
  try {
    let all: Record<string, unknown> = {};
    try {
      all = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
    } catch {
      // First suite of the run, or a file from an older layout: start over.
    }
    all[suite] = { ...figures, at: new Date().toISOString() };
    writeFileSync(FILE, JSON.stringify(all, null, 2) + '\n');
  } finally {
    closeSync(fd);
    rmSync(LOCK, { force: true });
  }
  console.log(`[reliability] ${suite}: ${JSON.stringify(figures)}`);
}

export type FaultCounts = {
  error5xx: number;
  rate429: number;
  drop: number;
  truncate: number;
  delayed: number;
};

/** Faults injected so far by both emulators of a world. */
export function faultCounts(w: World): FaultCounts {
  const out: FaultCounts = { error5xx: 0, rate429: 0, drop: 0, truncate: 0, delayed: 0 };
  for (const c of [w.yt.faults.counters, w.crm.faults.counters])
    for (const k of Object.keys(out) as Array<keyof FaultCounts>) out[k] += c[k];
  return out;
}

/** Fails when any produced text or file holds one of the secrets, and says where. */
export function expectNoSecrets(
  secrets: readonly string[],
  artifacts: Record<string, string | Buffer>,
): number {
  let bytes = 0;
  for (const [where, content] of Object.entries(artifacts)) {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    bytes += buf.length;
    for (const s of secrets) expect(buf.includes(s), `${where} contains a secret`).toBe(false);
  }
  return bytes;
}

/**
 * Like writeWorldConfig, without rate limiting (the defaults pace a real server; the emulators on
 * loopback need no pacing and the suites need the time).
 */
export function writeFastConfig(
  w: World,
  extra: Record<string, unknown> = {},
): { file: string; env: Record<string, string> } {
  const file = join(w.dir, 'tandem.yaml');
  const side = (url: string, token: string) => ({
    url,
    token,
    retry: { baseDelayMs: 1, maxDelayMs: 20 },
    rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
  });
  const doc = {
    store: w.config.store,
    connections: [
      {
        name: 'test',
        youtrack: side(w.yt.url, '${YT_TOKEN}'),
        customcrm: side(`${w.crm.url}/v1`, '${CRM_TOKEN}'),
        ...extra,
      },
    ],
  };
  writeFileSync(file, stringify(doc));
  return { file, env: { YT_TOKEN, CRM_TOKEN } };
}
