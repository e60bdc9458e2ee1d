import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from './index.ts';
import { TestDatabase } from '../../test/support/store/test-database.ts';
import { ManualClock } from '../util/clock.ts';

const adminUrl = process.env.TANDEM_TEST_POSTGRES;

/** The webhook replay cache (issue 15) on both stores: atomic, per connection, forgets after a day. */
// PostgreSQL whenever a server is given, and always in CI (where a missing one fails the test).
const stores: Array<[string, boolean]> = [['SQLite', false]];
if (adminUrl || process.env['CI']) stores.push(['PostgreSQL', true]);

describe.each(stores)('webhook replay cache on %s', (_name, postgres) => {
  let url = '';
  let cleanup: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    if (postgres) {
      const db = new TestDatabase(adminUrl ?? 'postgres://missing-TANDEM_TEST_POSTGRES/');
      await db.create();
      url = await db.schemaUrl();
      cleanup = () => db.drop();
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'tandem-replay-'));
      url = `sqlite:${join(dir, 'state.db')}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(() => cleanup());

  it('accepts an id once, per connection, even when two claims race, and forgets it after a day', async () => {
    const clock = new ManualClock(Date.parse('2026-11-30T00:00:00Z'));
    const store = await openStore(url, { clock });
    try {
      const main = store.forConnection('main');
      const races = await Promise.all([1, 2, 3, 4].map(() => main.claimWebhookEvent('evt-race')));
      expect(races.filter(Boolean)).toHaveLength(1);
      expect(await store.forConnection('other').claimWebhookEvent('evt-race')).toBe(true);
      clock.advance(25 * 3600_000);
      expect(await main.claimWebhookEvent('evt-new')).toBe(true);
      expect(await main.claimWebhookEvent('evt-race')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
