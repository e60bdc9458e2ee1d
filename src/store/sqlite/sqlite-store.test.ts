import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { defineStoreSuite } from '../../../test/support/store/suite.ts';
import { createSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tandem-sqlite-'));
let n = 0;
let last = '';
afterAll(() => rmSync(dir, { recursive: true, force: true }));

defineStoreSuite(
  'SQLite',
  async (options) => {
    last = join(dir, `store-${++n}.db`);
    const store = createSqliteStore({ path: last, ...options });
    await store.migrate();
    return store;
  },
  async () => {
    const store = createSqliteStore({ path: last });
    await store.migrate();
    return store;
  },
);
