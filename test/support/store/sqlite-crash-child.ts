/**
 * Test helper run as a child process by src/store/sqlite/sqlite-durability.test.ts: commits `committed` batches of
 * links, then opens one more transaction and writes half of a batch into it, says READY and
 * waits to be killed. Usage: node --import tsx/esm sqlite-crash-child.ts FILE COMMITTED
 */
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const [file, committedArg] = process.argv.slice(2);
if (!file || committedArg === undefined) throw new Error('usage: sqlite-crash-child.ts FILE COMMITTED');
const BATCH = 50;

const store = createSqliteStore({ path: file });
await store.migrate();
const insertLinks = async (b: number, count: number) => {
  for (let i = 0; i < count; i++) {
    await store.insertLink({
      flow: 'users',
      ytType: 'User',
      ytId: `yt-${b}-${i}`,
      crmType: 'Contact',
      crmId: `crm-${b}-${i}`,
      origin: 'created-in-customcrm',
      status: 'active',
      base: { Email: `u${b}-${i}@example.com` },
      ytHash: null,
      crmHash: null,
      crmVersion: null,
      label: `User ${b}-${i}`,
    });
  }
};
const batch = (b: number) =>
  store.transaction(async (tx) => {
    await insertLinks(b, BATCH);
    await tx.setWatermark('batches', String(b + 1));
  });

for (let b = 0; b < Number(committedArg); b++) await batch(b);
await store.transaction(async (tx) => {
  await insertLinks(Number(committedArg), BATCH / 2);
  await tx.setWatermark('uncommitted', 'x');
  process.stdout.write('READY\n');
  await new Promise(() => setInterval(() => undefined, 1000));
});
