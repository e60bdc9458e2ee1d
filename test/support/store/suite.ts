import { afterEach, describe } from 'vitest';
import type { StateStore } from '../../../src/store/types.ts';
import { defineConnectionTests } from './connections.ts';
import type { OpenStore } from './fixtures.ts';
import { defineJournalTests } from './journal.ts';
import { defineLinkTests } from './links.ts';
import { defineListTests } from './lists.ts';
import { defineRecordTests } from './records.ts';
import { defineTransactionTests } from './transactions.ts';

export { EVERY_KIND, link, type OpenStore } from './fixtures.ts';

/**
 * The one test suite every StateStore implementation must pass. `open` gives a migrated store on
 * a new, empty database; `openAgain` a second store, with its own connections, on the database
 * of the last `open`. Every store opened is closed after its test.
 */
export function defineStoreSuite(name: string, open: OpenStore, openAgain: () => Promise<StateStore>): void {
  describe(`StateStore on ${name}`, () => {
    const opened: StateStore[] = [];
    const fresh: OpenStore = async (options) => {
      const store = await open(options);
      opened.push(store);
      return store;
    };
    const again = async () => {
      const store = await openAgain();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    defineLinkTests(fresh, again);
    defineTransactionTests(fresh);
    defineRecordTests(fresh);
    defineJournalTests(fresh);
    defineListTests(fresh);
    defineConnectionTests(fresh, again);
  });
}
