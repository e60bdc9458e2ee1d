import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { StoreError } from '../errors.ts';
import { link } from '../../../test/support/store/suite.ts';
import { sqliteMigrations } from './sqlite-dialect.ts';
import { SqliteDriver } from './sqlite-driver.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-sqlite-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = fileURLToPath(new URL('../../../test/support/store/sqlite-crash-child.ts', import.meta.url));

/** Starts the child, waits until it is inside its last transaction, and SIGKILLs it. */
async function crashChild(file: string, committed: number): Promise<NodeJS.Signals | null> {
  const proc = spawn(process.execPath, ['--import', 'tsx/esm', child, file, String(committed)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('READY')) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`crash child exited early with ${code}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => proc.on('exit', (_code, signal) => r(signal)));
  proc.kill('SIGKILL');
  return exited;
}

describe('SQLite store durability', () => {
  it('keeps every committed transaction and nothing of the one a SIGKILL interrupted', async () => {
    for (const committed of [0, 3]) {
      const file = join(dir, `crash-${committed}.db`);
      expect(await crashChild(file, committed)).toBe('SIGKILL');
      const store = await openStore(`sqlite:${file}`);
      try {
        expect((await store.listLinks({})).length).toBe(committed * 50);
        expect(await store.getWatermark('batches')).toBe(committed ? String(committed) : undefined);
        expect(await store.getWatermark('uncommitted')).toBeUndefined();
        await store.insertLink(link());
      } finally {
        await store.close();
      }
    }
  });

  it('runs in WAL mode with the chosen synchronous level', async () => {
    const full = join(dir, 'full.db');
    const normal = join(dir, 'normal.db');
    await (await openStore(full)).close();
    await (await openStore(`sqlite:${normal}`, { synchronous: 'normal' })).close();
    const db = new Database(full);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous and foreign_keys are per connection: read them on the driver's own
    for (const [path, synchronous] of [
      [full, 'full'],
      [normal, 'normal'],
    ] as const) {
      const driver = new SqliteDriver({ path, synchronous });
      expect(driver.settings()).toEqual({
        journalMode: 'wal',
        synchronous,
        foreignKeys: true,
        busyTimeoutMs: 5000,
      });
      await driver.close();
    }
  });

  it('opens plain paths and sqlite: URLs alike', async () => {
    const file = join(dir, 'url.db');
    const a = await openStore(file);
    await a.setWatermark('w', '1');
    await a.close();
    const b = await openStore(`sqlite://${file}`);
    expect(await b.getWatermark('w')).toBe('1');
    await b.close();
  });

  it('names the file and the fix when it cannot open', async () => {
    const err = await openStore(`sqlite:${join(dir, 'missing-dir', 'x.db')}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('STORE_OPEN_FAILED');
    expect((err as StoreError).message).toContain('missing-dir');
    expect((err as StoreError).message).toContain('directory exists');
  });

  it('refuses a database migrated by a newer Tandem', async () => {
    const file = join(dir, 'newer.db');
    await (await openStore(file)).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(
      sqliteMigrations.length + 1,
      'future',
      'x',
    );
    db.close();
    const err = await openStore(file).catch((e: unknown) => e);
    expect((err as StoreError).code).toBe('STORE_SCHEMA_TOO_NEW');
    expect((err as StoreError).message).toContain('upgrade Tandem');
  });
});
