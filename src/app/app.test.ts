import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.ts';
import type { CycleReport } from '../engine/cycle.ts';
import { SyncRunner } from '../engine/runner.ts';
import { JsonLogger, MemorySink } from '../log/logger.ts';
import { FakeConnector } from '../../test/helpers/fake-connector.ts';
import { tempSqliteStore } from '../../test/helpers/temp-store.ts';
import { buildApp } from './app.ts';

describe('buildApp', () => {
  const tmp = tempSqliteStore('tandem-app-');
  const logger = new JsonLogger(new MemorySink(), 'warn');

  it("runs cycles with its runtimes' own connectors, made once", async () => {
    const config = parseConfig({
      store: tmp.url,
      connections: ['acme', 'globex'].map((name) => ({
        name,
        youtrack: { url: 'http://127.0.0.1:9/never-called', token: 'perm:unused' },
        customcrm: { url: 'http://127.0.0.1:9/never-called', token: 'unused' },
      })),
    });
    const made: FakeConnector[] = [];
    const app = buildApp(config, {
      store: tmp.store,
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
