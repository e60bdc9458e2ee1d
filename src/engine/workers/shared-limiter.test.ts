import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../util/clock.ts';
import { describePostgres } from '../../../test/helpers/postgres.ts';
import { TestDatabase } from '../../../test/support/store/test-database.ts';
import { prepareSharedLimits, SharedTokenBucket } from './shared-limiter.ts';

// Runs without a server too (the Pool connects only when asked), so the file always has a test.
describe('SharedTokenBucket options', () => {
  it('refuses a rate or burst that would never let a request through', () => {
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    const key = { connection: 'a', system: 'youtrack' };
    expect(() => new SharedTokenBucket(pool, key, { ratePerSecond: 0, burst: 5 }, systemClock)).toThrow(
      /ratePerSecond/,
    );
    expect(() => new SharedTokenBucket(pool, key, { ratePerSecond: 5, burst: 0 }, systemClock)).toThrow(
      /burst/,
    );
  });
});

/** Two workers' own pools, as two `tandem run` processes would have. */
function workerPools(url: string): [pg.Pool, pg.Pool] {
  const make = () => {
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    pool.on('error', () => undefined);
    return pool;
  };
  return [make(), make()];
}

/** Takes `n` tokens in `lanes` concurrent loops; returns when each one came, in ms since the start. */
async function acquireAll(
  limiter: SharedTokenBucket,
  n: number,
  lanes: number,
  start: number,
): Promise<number[]> {
  const times: number[] = [];
  let left = n;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (left > 0) {
        left--;
        await limiter.acquire();
        times.push(performance.now() - start);
      }
    }),
  );
  return times;
}

describePostgres('SharedTokenBucket on PostgreSQL', (adminUrl) => {
  const db = new TestDatabase(adminUrl);
  beforeAll(() => db.create());
  afterAll(() => db.drop());

  it('creates its table when several workers start at once', async () => {
    const url = await db.schemaUrl();
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 1 }));
    try {
      await Promise.all(pools.map((p) => prepareSharedLimits(p)));
      const { rows } = await pools[0]!.query(`SELECT to_regclass('tandem_rate_limits') AS t`);
      expect(rows[0].t).toBe('tandem_rate_limits');
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('holds rate + burst for two workers together on one connection and system', async () => {
    const url = await db.schemaUrl();
    const [a, b] = workerPools(url);
    try {
      await prepareSharedLimits(a);
      const key = { connection: 'acme', system: 'customcrm' };
      const opts = { ratePerSecond: 20, burst: 5 };
      const start = performance.now();
      const times = (
        await Promise.all([
          acquireAll(new SharedTokenBucket(a, key, opts, systemClock), 23, 3, start),
          acquireAll(new SharedTokenBucket(b, key, opts, systemClock), 22, 3, start),
        ])
      )
        .flat()
        .sort((x, y) => x - y);
      expect(times).toHaveLength(45);
      // The k-th token (from 1) can come no sooner than (k - burst) / rate after the first take.
      times.forEach((t, i) => {
        const earliest = ((i + 1 - opts.burst) / opts.ratePerSecond) * 1000;
        expect(t, `token ${i + 1} at ${t.toFixed(0)} ms`).toBeGreaterThanOrEqual(earliest - 20);
      });
      expect(times.at(-1)).toBeGreaterThanOrEqual(1980);
      // ...and the limiter does not throttle far below the rate either.
      expect(times.at(-1)).toBeLessThan(4000);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('gives every connection and every system a budget of its own', async () => {
    const url = await db.schemaUrl();
    const [a, b] = workerPools(url);
    try {
      await prepareSharedLimits(a);
      // One token a second: had these four buckets shared one, 20 takes would need 15 s.
      const opts = { ratePerSecond: 1, burst: 5 };
      const keys = [
        { connection: 'acme', system: 'youtrack' },
        { connection: 'acme', system: 'customcrm' },
        { connection: 'globex', system: 'youtrack' },
        { connection: 'globex', system: 'customcrm' },
      ];
      const start = performance.now();
      await Promise.all(
        keys.map((key, i) =>
          acquireAll(new SharedTokenBucket(i % 2 ? a : b, key, opts, systemClock), 5, 2, start),
        ),
      );
      expect(performance.now() - start).toBeLessThan(900);
      const { rows } = await a.query<{ connection: string; system: string; tokens: number }>(
        'SELECT connection, system, tokens FROM tandem_rate_limits ORDER BY connection, system',
      );
      expect(rows.map((r) => `${r.connection}/${r.system}`)).toEqual([
        'acme/customcrm',
        'acme/youtrack',
        'globex/customcrm',
        'globex/youtrack',
      ]);
      for (const r of rows) expect(r.tokens).toBeLessThan(1);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('shares a 429 with every worker: the rate is halved and a Retry-After pause is stored', async () => {
    const url = await db.schemaUrl();
    const [a, b] = workerPools(url);
    try {
      await prepareSharedLimits(a);
      const key = { connection: 'initech', system: 'customcrm' };
      const opts = { ratePerSecond: 40, burst: 5 };
      const first = new SharedTokenBucket(a, key, opts, systemClock);
      await first.acquire();
      first.feedback({ status: 429, ms: 3, retryAfterMs: 60_000 });
      const row = async () => {
        const { rows } = await b.query<{ rate: number; paused: boolean }>(
          `SELECT rate, paused_until > clock_timestamp() + interval '30 seconds' AS paused
             FROM tandem_rate_limits WHERE connection = $1 AND system = $2`,
          [key.connection, key.system],
        );
        return rows[0];
      };
      // The write is not awaited by feedback(); the next statement on the row sees it.
      for (let i = 0; i < 50 && (await row())?.rate == null; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await row()).toEqual({ rate: 20, paused: true });
      // The other worker waits for the pause: abort shows it did not get a token at once.
      const other = new SharedTokenBucket(b, key, opts, systemClock);
      await expect(other.acquire(AbortSignal.timeout(200))).rejects.toThrow();
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('stops waiting for its slot when the caller aborts', async () => {
    const url = await db.schemaUrl();
    const [a, b] = workerPools(url);
    try {
      await prepareSharedLimits(a);
      const key = { connection: 'acme', system: 'youtrack' };
      const opts = { ratePerSecond: 0.5, burst: 1 };
      await new SharedTokenBucket(a, key, opts, systemClock).acquire();
      const start = performance.now();
      const waiting = new SharedTokenBucket(b, key, opts, systemClock).acquire(AbortSignal.timeout(100));
      await expect(waiting).rejects.toThrow();
      expect(performance.now() - start).toBeLessThan(1000);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
