import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import type { StateStore } from '../../src/store/types.ts';

/** A fresh SQLite store file in a temporary folder for each test, removed after it. */
export function tempSqliteStore(prefix: string): {
  readonly dir: string;
  readonly store: StateStore;
  readonly url: string;
} {
  const state: { dir?: string; store?: StateStore } = {};
  beforeEach(async () => {
    state.dir = mkdtempSync(join(tmpdir(), prefix));
    state.store = await openStore(`sqlite:${join(state.dir, 'tandem.db')}`);
  });
  afterEach(async () => {
    await state.store?.close();
    if (state.dir) rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return state.dir!;
    },
    get store() {
      return state.store!;
    },
    get url() {
      return `sqlite:${join(state.dir!, 'tandem.db')}`;
    },
  };
}
