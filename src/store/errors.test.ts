import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { expectCode } from '../../test/support/store/fixtures.ts';
import { openStore } from './index.ts';
import { createPostgresStore } from './postgres/postgres-store.ts';
import { createSqliteStore } from './sqlite/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-store-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback port nothing listens on: the connection is refused at once. */
const NOBODY = 'postgres://tandem:s3cret-pw@127.0.0.1:1/tandem';

describe('store errors, typed by class and kind', () => {
  it('says busy when another writer holds a SQLite store past the wait', async () => {
    const path = join(dir, 'busy.db');
    const store = createSqliteStore({ path, busyTimeoutMs: 50 });
    await store.migrate();
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const err = await expectCode(store.setWatermark('w', '1'), 'STORE_BUSY');
      expect(err.kind).toBe('busy');
      expect(err.message).toContain('another writer');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await store.setWatermark('w', '1');
    expect(await store.getWatermark('w')).toBe('1');
    await store.close();
  });

  it('says unavailable when PostgreSQL cannot be reached, naming the database and never the password', async () => {
    const store = createPostgresStore({ url: NOBODY, where: 'postgres://127.0.0.1:1/tandem' });
    try {
      for (const call of [store.getWatermark('w'), store.setWatermark('w', '1')]) {
        const err = await expectCode(call, 'STORE_UNAVAILABLE');
        expect(err.kind).toBe('unavailable');
        expect(err.message).toContain('127.0.0.1:1/tandem');
        expect(err.message).toContain('check that PostgreSQL is running');
        expect(err.message).not.toContain('s3cret-pw');
      }
    } finally {
      await store.close();
    }
  });

  it('still reports an unreachable PostgreSQL at open as an open failure', async () => {
    const err = await expectCode(openStore(NOBODY), 'STORE_OPEN_FAILED');
    expect(err.kind).toBe('unavailable');
    expect(err.message).not.toContain('s3cret-pw');
  });

  it('gives every expected failure a kind', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    const missing = await expectCode(store.updateLink(404, { label: 'x' }), 'NOT_FOUND');
    expect(missing.kind).toBe('not-found');
    const bad = await expectCode(store.findLink({ flow: 'users' }), 'INVALID_ARGUMENT');
    expect(bad.kind).toBe('invalid');
    await store.close();
  });
});
