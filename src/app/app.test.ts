import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.ts';
import type { CycleReport } from '../engine/cycle.ts';
import { SyncRunner } from '../engine/runner.ts';
import { JsonLogger, MemorySink } from '../log/logger.ts';
import { openStore } from '../store/index.ts';
import type { StateStore } from '../store/types.ts';
import { FakeConnector } from '../../test/helpers/fake-connector.ts';
import { buildApp } from './app.ts';

describe('buildApp', () => {
  let dir: string;
  let store: StateStore;
  const logger = new JsonLogger(new MemorySink(), 'warn');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-app-'));
    store = await openStore(`sqlite:${join(dir, 'tandem.db')}`);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs cycles with its runtimes' own connectors, made once", async () => {
    const config = parseConfig({
      store: `sqlite:${join(dir, 'tandem.db')}`,
      connections: ['acme', 'globex'].map((name) => ({
        name,
        youtrack: { url: 'http://127.0.0.1:9/never-called', token: 'perm:unused' },
        customcrm: { url: 'http://127.0.0.1:9/never-called', token: 'unused' },
      })),
    });
    const made: FakeConnector[] = [];
    const app = buildApp(config, {
      store,
      logger,
      connections: config.connections.slice(0, 1),
      connectors: (_connection, system) => {
        const c = new FakeConnector(system);
        made.push(c);
        return c;
      },
    });
    expect(app.runtimes.map((rt) => rt.name)).toEqual(['acme']);
    expect(app.store.connection).toBe('acme');
    expect(made.map((c) => c.system)).toEqual(['youtrack', 'customcrm']);
    const [yt, crm] = made as [FakeConnector, FakeConnector];
    expect(app.runtimes[0]!.youtrack).toBe(yt);
    yt.put('User', {
      login: 'ada',
      fullName: 'Ada Lovelace',
      email: 'ada@example.com',
      banned: false,
      organizations: [],
      groups: [],
    });

    let done: (r: CycleReport) => void = () => undefined;
    const first = new Promise<CycleReport>((resolve) => (done = resolve));
    const runner = app.coordinator({ onCycle: (r) => done(r) });
    expect(runner).toBeInstanceOf(SyncRunner);
    await runner.start();
    const report = await first;
    await runner.stop();

    expect(report).toMatchObject({ connection: 'acme', kind: 'full', status: 'ok' });
    // The contact was created through the very connector the app handed out: no second set was made.
    expect(crm.all('Contact').map((c) => c.props['Email'])).toEqual(['ada@example.com']);
    expect(made).toHaveLength(2);
  });
});
