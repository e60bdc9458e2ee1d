import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.ts';
import { JsonLogger, MemorySink } from '../log/logger.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { StateStore } from '../store/types.ts';
import { ManualClock } from '../util/clock.ts';
import { recoverPendingWrites } from './recovery.ts';
import { createConnectionRuntime, type ConnectionRuntime } from './runtime.ts';

/**
 * Nothing is pending in the journal here, so neither system is called: the connectors point at a
 * loopback port where nothing listens, and a call would fail the test.
 */
function runtime(name: string, logger: JsonLogger): ConnectionRuntime {
  const config = parseConfig({
    store: 'sqlite:unused.db',
    connections: [
      {
        name,
        youtrack: { url: 'http://127.0.0.1:9', token: 'perm:recovery-test-token' },
        customcrm: { url: 'http://127.0.0.1:9/v1', token: 'recovery-test-token' },
      },
    ],
  });
  return createConnectionRuntime(config.connections[0]!, { logger });
}

describe('recoverPendingWrites and cycles left running', () => {
  let dir: string;
  let root: StateStore;
  const clock = new ManualClock(Date.parse('2025-03-01T10:00:00.000Z'));
  const sink = new MemorySink();
  const logger = new JsonLogger(sink, 'debug');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-recovery-'));
    root = createSqliteStore({ path: join(dir, 'tandem.db'), clock });
    await root.migrate();
  });
  afterEach(async () => {
    await root.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes the cycles a killed process left running in its own connection only', async () => {
    const acme = root.forConnection('acme');
    const globex = root.forConnection('globex');
    const killed = await acme.startCycle({ connection: 'acme', kind: 'full' });
    const globexRunning = await globex.startCycle({ connection: 'globex', kind: 'full' });
    // As runCycle does: the new cycle's row first, then recovery, under the connection's lock.
    const current = await acme.startCycle({ connection: 'acme', kind: 'incremental' });
    clock.advance(30_000);

    expect(await recoverPendingWrites(runtime('globex', logger), globex, logger)).toBe(0);
    expect(await recoverPendingWrites(runtime('acme', logger), acme, logger)).toBe(0);

    const cycles = new Map((await root.listCycles({ limit: 10 })).map((c) => [c.id, c]));
    expect(cycles.get(killed)).toMatchObject({
      status: 'interrupted',
      finishedAt: '2025-03-01T10:00:30.000Z',
    });
    expect(cycles.get(current)).toMatchObject({ status: 'running', finishedAt: null });
    expect(cycles.get(globexRunning)).toMatchObject({ status: 'running', finishedAt: null });
    const warnings = sink.records().filter((r) => r.level === 'warn');
    expect(warnings.map((r) => r.cycleId)).toEqual([killed]);
  });
});
