import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-sqlite-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite store files and process lock (issue 15)', () => {
  it('creates the store, its WAL and its lock file readable by the owner only (finding 8)', async () => {
    const path = join(dir, 'private.db');
    const store = await openStore(`sqlite:${path}`, { exclusive: true });
    try {
      await store.setWatermark('x', '1');
      for (const f of [path, `${path}-wal`, `${path}.lock`]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('refuses a second process on the same store while the first holds it (finding 12)', async () => {
    const path = join(dir, 'locked.db');
    const store = await openStore(`sqlite:${path}`, { exclusive: true });
    const second = () =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('${join(import.meta.dirname, '..', 'index.ts')}').then(async (m) => {
             try { const s = await m.openStore('sqlite:${path}', { exclusive: true }); await s.close(); console.log('OPENED'); }
             catch (e) { console.log(e.code + ': ' + e.message); }
           })`,
        ],
        { encoding: 'utf8' },
      );
    try {
      const refused = second();
      expect(refused.stdout).toContain('STORE_LOCKED: the state store');
      expect(refused.stdout).toContain('in use by another tandem process');
      // In this process too: a second exclusive open is refused.
      await expect(openStore(`sqlite:${path}`, { exclusive: true })).rejects.toBeInstanceOf(StoreError);
      // Readers (status, history) still open it.
      const reader = await openStore(`sqlite:${path}`);
      await reader.close();
    } finally {
      await store.close();
    }
    expect(second().stdout).toContain('OPENED');
  });

  it('remembers webhook event ids across a reopen, per connection (finding 7)', async () => {
    const path = join(dir, 'replay.db');
    const a = await openStore(`sqlite:${path}`);
    expect(await a.forConnection('main').claimWebhookEvent('evt-1')).toBe(true);
    expect(await a.forConnection('main').claimWebhookEvent('evt-1')).toBe(false);
    expect(await a.forConnection('other').claimWebhookEvent('evt-1')).toBe(true);
    await a.close();
    const b = await openStore(`sqlite:${path}`);
    expect(await b.forConnection('main').claimWebhookEvent('evt-1')).toBe(false);
    await b.close();
  });
});
