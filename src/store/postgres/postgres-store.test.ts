import { describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { StoreError } from '../errors.ts';
import { defineStoreSuite, link } from '../../../test/support/store/suite.ts';
import { PostgresDriver } from './postgres-driver.ts';
import { createPostgresStore } from './postgres-store.ts';
import { withTestDatabase } from '../../../test/support/store/test-database.ts';
import { parseStoreUrl } from '../url.ts';

// Runs without a server too, so the file always has tests when the database suite is not registered.
describe('PostgreSQL store URL', () => {
  it('selects PostgreSQL for both schemes and shows the URL without its password', () => {
    for (const url of [
      'postgres://tandem:p%40ss@db:5432/tandem',
      'postgresql://tandem:p%40ss@db/tandem?sslmode=require',
    ]) {
      const location = parseStoreUrl(url);
      expect(location.kind).toBe('postgres');
      expect(location.display).toContain('tandem:[REDACTED]@db');
      expect(location.display).not.toContain('p%40ss');
    }
    expect(parseStoreUrl('postgres://db/tandem').display).toBe('postgres://db/tandem');
  });

  it('refuses a malformed URL without echoing its password', () => {
    const err = (() => {
      try {
        parseStoreUrl('postgres://tandem:hunter22@[bad/tandem');
      } catch (e) {
        return e as StoreError;
      }
    })();
    expect(err?.code).toBe('STORE_URL_INVALID');
    expect(err?.message).not.toContain('hunter22');
  });
});

withTestDatabase('the PostgreSQL store suite', (db, adminUrl) => {
  let last = '';

  const open = async (url: string, options: { clock?: import('../../util/clock.ts').Clock } = {}) => {
    const store = createPostgresStore({ url, where: 'test database', ...options });
    await store.migrate();
    return store;
  };

  defineStoreSuite(
    'PostgreSQL',
    async (options) => open((last = await db.schemaUrl()), options),
    async () => open(last),
  );

  describe('PostgreSQL store, opened by URL', () => {
    it('opens with openStore and keeps data across a reopen', async () => {
      const url = await db.schemaUrl();
      const first = await openStore(url);
      const l = await first.insertLink(link());
      await first.close();
      const second = await openStore(url);
      try {
        expect(await second.getLink(l.id)).toEqual(l);
      } finally {
        await second.close();
      }
    });

    it('prepares a statement with parameters once per connection, and runs one without as it is', async () => {
      const driver = new PostgresDriver(await db.schemaUrl(), 'test database');
      try {
        const rows = await driver.transaction(async (c) => {
          for (const x of [1, 2, 3]) expect(await c.all('SELECT $1::int AS x', [x])).toEqual([{ x }]);
          await c.run('SELECT 1; SELECT 2');
          return c.all('SELECT statement FROM pg_prepared_statements WHERE statement LIKE $1', ['SELECT %']);
        });
        expect(rows.map((r) => r['statement']).sort()).toEqual([
          'SELECT $1::int AS x',
          'SELECT statement FROM pg_prepared_statements WHERE statement LIKE $1',
        ]);
      } finally {
        await driver.close();
      }
    });

    it('names the database but never the password when it cannot connect', async () => {
      const u = new URL(adminUrl);
      u.password = 's3cret-pw';
      u.pathname = '/no_such_database_here';
      const err = await openStore(u.href).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('STORE_OPEN_FAILED');
      expect((err as StoreError).message).toContain('no_such_database_here');
      expect((err as StoreError).message).not.toContain('s3cret-pw');
      expect((err as StoreError).message).toContain('PostgreSQL is running');
    });
  });
});
