import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { link, history, type OpenStore } from './fixtures.ts';

/** Part of the shared store suite: transactions: all or nothing, joined from inside, waited for from outside. */
export function defineTransactionTests(fresh: OpenStore): void {
  describe('transactions', () => {
    it('keeps nothing of a transaction that throws', async () => {
      const store = await fresh();
      const boom = new Error('boom');
      await expect(
        store.transaction(async (tx) => {
          const l = await tx.insertLink(link());
          await tx.addHistory([history({ linkId: l.id })]);
          await tx.setWatermark('wm', 'x');
          expect(await tx.getLink(l.id)).not.toBeNull();
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await store.listLinks({})).toEqual([]);
      expect(await store.listHistory({})).toEqual([]);
      expect(await store.getWatermark('wm')).toBeUndefined();
    });

    it('joins nested transactions and calls on the store itself into the outer one', async () => {
      const store = await fresh();
      const result = await store.transaction(async (tx) => {
        await tx.insertLink(link());
        const inner = await tx.transaction(async (tx2) => {
          await tx2.insertLink(link({ ytId: 'yt-2', crmId: 'crm-2' }));
          return 'inner';
        });
        await store.insertLink(link({ ytId: 'yt-3', crmId: 'crm-3' }));
        return `${inner}+${(await store.listLinks({})).length}`;
      });
      expect(result).toBe('inner+3');

      await expect(
        store.transaction(async (tx) => {
          await tx.transaction((tx2) => tx2.insertLink(link({ ytId: 'yt-4', crmId: 'crm-4' })));
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await store.findLink({ flow: 'users', ytId: 'yt-4' })).toBeNull();
    });

    it('keeps exactly the transactions that committed, whatever fails where', async () => {
      const store = await fresh();
      let run = 0;
      const batches = fc.array(
        fc.record({ size: fc.integer({ min: 1, max: 4 }), failAt: fc.option(fc.nat(4)) }),
        {
          minLength: 1,
          maxLength: 5,
        },
      );
      await fc.assert(
        fc.asyncProperty(batches, async (plan) => {
          run++;
          const before = (await store.listLinks({ flow: 'organizations' })).length;
          let kept = 0;
          for (const [b, { size, failAt }] of plan.entries()) {
            const fails = failAt !== null && failAt < size;
            await store
              .transaction(async (tx) => {
                for (let i = 0; i < size; i++) {
                  if (i === failAt) throw new Error('fail');
                  await tx.insertLink(
                    link({ flow: 'organizations', ytId: `${run}-${b}-${i}`, crmId: `${run}-${b}-${i}` }),
                  );
                }
              })
              .catch(() => undefined);
            if (!fails) kept += size;
          }
          expect((await store.listLinks({ flow: 'organizations' })).length).toBe(before + kept);
        }),
        { numRuns: 15 },
      );
    });

    it('never shows another caller half a transaction', async () => {
      const store = await fresh();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const firstInserted = new Promise<void>((r) => (inserted = r));
      const tx = store.transaction(async (t) => {
        await t.insertLink(link());
        inserted();
        await gate;
        await t.insertLink(link({ ytId: 'yt-2', crmId: 'crm-2' }));
      });
      await firstInserted;
      const reading = store.listLinks({});
      release();
      await tx;
      expect([0, 2]).toContain((await reading).length);
    });
  });
}
