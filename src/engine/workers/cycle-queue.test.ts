import pg from 'pg';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describePostgres } from '../../../test/helpers/postgres.ts';
import { TestDatabase } from '../../../test/support/store/test-database.ts';
import { cycleQueueName, ensureCycleQueue } from './cycle-queue.ts';

// Runs without a server too, so the file always has a test.
describe('cycleQueueName', () => {
  it('gives every connection a queue of its own', () => {
    expect(cycleQueueName('acme')).toBe('tandem-cycle-acme');
    expect(cycleQueueName('acme')).not.toBe(cycleQueueName('globex'));
  });
});

describePostgres('cycle queues on PostgreSQL', (adminUrl) => {
  const db = new TestDatabase(adminUrl);
  // Two workers' job queues on one database.
  let a: PgBoss;
  let b: PgBoss;
  // ...and each its own pool, as two `tandem run` processes would have.
  let poolA: pg.Pool;
  let poolB: pg.Pool;

  beforeAll(async () => {
    await db.create();
    poolA = new pg.Pool({ connectionString: db.url, max: 4 });
    poolB = new pg.Pool({ connectionString: db.url, max: 4 });
    // Dropping the test database at the end ends the queues' connections from the server side: the
    // errors that causes are expected, and without a listener they would surface as uncaught.
    poolA.on('error', () => undefined);
    poolB.on('error', () => undefined);
    const boss = () => {
      const q = new PgBoss({ connectionString: db.url, max: 2, schedule: false, supervise: false });
      q.on('error', () => undefined);
      return q;
    };
    a = boss();
    b = boss();
    await a.start();
    await b.start();
  });
  afterAll(async () => {
    await Promise.all([a.stop({ graceful: false, wait: true }), b.stop({ graceful: false, wait: true })]);
    await Promise.all([poolA.end(), poolB.end()]);
    await db.drop();
  });

  it('is created once when several workers start at once, stately, with the expiry asked for', async () => {
    const name = cycleQueueName('acme');
    await Promise.all([ensureCycleQueue(a, poolA, name, 300), ensureCycleQueue(b, poolB, name, 300)]);
    const queue = await a.getQueue(name);
    expect(queue?.policy).toBe('stately');
    expect(queue?.expireInSeconds).toBe(300);
    expect(queue?.retryLimit).toBe(5);
  });

  it("creates different connections' queues from several workers at once", async () => {
    const names = Array.from({ length: 6 }, (_, i) => cycleQueueName(`c${i}`));
    await Promise.all(
      names.map((name, i) =>
        i % 2 ? ensureCycleQueue(a, poolA, name, 120) : ensureCycleQueue(b, poolB, name, 120),
      ),
    );
    for (const name of names) expect((await b.getQueue(name))?.expireInSeconds).toBe(120);
  });

  it('takes a changed expiry on the next start and keeps the queue stately', async () => {
    const name = cycleQueueName('globex');
    await ensureCycleQueue(a, poolA, name, 300);
    await ensureCycleQueue(b, poolB, name, 60);
    const queue = await a.getQueue(name);
    expect(queue?.expireInSeconds).toBe(60);
    expect(queue?.policy).toBe('stately');
    // Stately still holds: a second job while one waits is dropped.
    expect(await a.send(name, { reason: 'schedule' })).not.toBeNull();
    expect(await b.send(name, { reason: 'schedule' })).toBeNull();
  });
});
