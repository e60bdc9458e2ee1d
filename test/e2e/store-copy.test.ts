import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCycle } from '../../src/engine/cycle.ts';
import { JsonLogger } from '../../src/log/logger.ts';
import { TestDatabase } from '../support/store/test-database.ts';
import { openStore } from '../../src/store/index.ts';
import type { StateStore } from '../../src/store/types.ts';
import { tandem } from '../helpers/cli.ts';
import { World } from '../helpers/world.ts';

const adminUrl = process.env['TANDEM_TEST_POSTGRES'];

/** Issue 14, point 5: `tandem store copy` moves a store from SQLite to PostgreSQL and back. */
if (adminUrl)
  describe('tandem store copy', () => {
    let w: World;
    let db: TestDatabase;
    const opened: StateStore[] = [];
    const open = async (url: string) => {
      const s = (await openStore(url)).forConnection('test');
      opened.push(s);
      return s;
    };
    const snapshot = async (s: StateStore) => ({
      links: (await s.listLinks({ limit: 1000 })).map((l) => [
        l.id,
        l.flow,
        l.ytId,
        l.crmId,
        l.label,
        l.base,
      ]),
      conflicts: (await s.listConflicts({})).map((c) => [c.id, c.linkId, c.winnerValue, c.loserValue]),
      review: (await s.listReviewItems({})).map((i) => [i.id, i.key, i.status, i.records]),
      history: (await s.listHistory({ limit: 1000 })).length,
    });

    beforeAll(async () => {
      db = new TestDatabase(adminUrl!);
      await db.create();
      w = await World.start();
      await w.sync();
      const link = (await w.store.listLinks({ flow: 'users', limit: 1 }))[0]!;
      await w.addNameConflict(link.id, 'A', 'B');
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
      await w?.close();
      await db?.drop();
    });

    it('copies SQLite to PostgreSQL: the same rows, and a sync on the copy writes nothing', async () => {
      const r = await tandem(['store', 'copy', '--from', w.config.store, '--to', db.url, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain(new URL(db.url).password || '\u0000');
      const pg = await open(db.url);
      expect(await snapshot(pg)).toEqual(await snapshot(w.store));
      const report = await runCycle(
        w.rt,
        { store: pg, logger: new JsonLogger(w.logs, 'debug') },
        { kind: 'full' },
      );
      expect(report.writes).toBe(0);
      // New rows get ids after the copied ones.
      expect(report.cycleId).toBeGreaterThan(
        Math.max(...(await w.store.listCycles({ limit: 100 })).map((c) => c.id)),
      );
    });

    it('copies PostgreSQL back to a new SQLite file, and refuses a store that is not empty', async () => {
      const back = `sqlite:${join(w.dir, 'back.db')}`;
      expect((await tandem(['store', 'copy', '--from', db.url, '--to', back])).code).toBe(0);
      const copy = await open(back);
      const pg = await open(db.url);
      expect(await snapshot(copy)).toEqual(await snapshot(pg));
      const again = await tandem(['store', 'copy', '--from', db.url, '--to', back]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toMatch(/already holds .*empty store/);
    });
  });
