import { afterEach, describe, expect, it } from 'vitest';
import { startCustomcrmServer } from '../emulators/customcrm/index.ts';
import { createCustomcrmConnector, customcrmConfigSchema } from '../connectors/customcrm/index.ts';

// Issue 16, adaptive concurrency, end to end over loopback: a CRM that can answer only N calls at
// once (the emulator's `max-in-flight` fault answers 429 to a call arriving while N are in flight)
// and a client that starts with 8 writers in flight, as the executor does. The window must come
// down below N and stay near it: every record is created once, and the CRM refuses only a small
// share of the calls (with a fixed 8 in flight it would refuse most of them).
const N = 3;
const RECORDS = 200;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A CRM that refuses calls above N in flight, and a connector with 8 in flight at most. */
async function setup(rateLimit: Record<string, unknown>) {
  const crm = await startCustomcrmServer({
    seed: 'empty',
    faults: `max-in-flight=${N},retry-after=0,latency=5`,
  });
  closers.push(() => crm.close());
  const conn = createCustomcrmConnector(
    customcrmConfigSchema.parse({
      url: `${crm.url}/v1`,
      token: 'crm-demo-token',
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 50 },
      rateLimit: { ratePerSecond: 100_000, burst: 100_000, maxInFlight: 8, ...rateLimit },
    }),
  );
  return { crm, conn };
}

/** Eight writers creating RECORDS contacts, as the executor's eight workers do; the ids made. */
async function createAll(conn: ReturnType<typeof createCustomcrmConnector>): Promise<string[]> {
  let next = 0;
  const created: string[] = [];
  const writer = async () => {
    for (let i = next++; i < RECORDS; i = next++) {
      const rec = await conn.create(
        'Contact',
        { FirstName: 'P', LastName: `Person ${i}`, Email: `p${i}@example.com` },
        { idempotencyKey: `k-${i}`, externalRef: { System: 'YouTrack', Type: 'User', Id: `u-${i}` } },
      );
      created.push(rec.id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, writer));
  return created;
}

describe('adaptive concurrency against a CRM that refuses calls above N in flight', () => {
  it('settles at or below N in flight, and every create lands once', async () => {
    const { crm, conn } = await setup({});
    const created = await createAll(conn);

    // Outcomes: every record once.
    expect(new Set(created).size).toBe(RECORDS);
    expect(crm.store.list('contacts', { limit: 1000 }).data).toHaveLength(RECORDS);
    const c = crm.faults.counters;
    // The CRM never had more than N calls in flight that it served (by its construction) ...
    expect(c.maxSeenInFlight).toBeLessThanOrEqual(N);
    // ... and refused few: the window came down to N or below and only probes above it now and
    // then (one refusal per climb). Eight writers held at 8 would be refused most of the time.
    expect(c.overLimit).toBeGreaterThan(0);
    expect(c.overLimit).toBeLessThan(RECORDS / 2);
  });

  it('a fixed bound (adaptive: false) keeps sending 8 at once and is refused far more often', async () => {
    const { crm, conn } = await setup({ adaptive: false });
    await createAll(conn);
    expect(crm.store.list('contacts', { limit: 1000 }).data).toHaveLength(RECORDS);
    expect(crm.faults.counters.overLimit).toBeGreaterThanOrEqual(RECORDS / 3);
  });
});
