import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.ts';
import { JsonLogger, MemorySink } from '../log/logger.ts';
import type { Props } from '../core/types.ts';
import { FakeConnector } from '../../test/helpers/fake-connector.ts';
import { tempSqliteStore } from '../../test/helpers/temp-store.ts';
import { runCycle } from './cycle.ts';
import { createConnectionRuntime, type ConnectionRuntime } from './runtime.ts';

/**
 * The engine depends on the `Connector` interface only: a cycle runs against two systems held in
 * memory (no HTTP, no emulator), which offer none of the optional extras.
 */
describe('a cycle against in-memory connectors', () => {
  const tmp = tempSqliteStore('tandem-seam-');
  let yt: FakeConnector;
  let crm: FakeConnector;
  let rt: ConnectionRuntime;
  const logger = new JsonLogger(new MemorySink(), 'warn');

  beforeEach(async () => {
    yt = new FakeConnector('youtrack');
    crm = new FakeConnector('customcrm');
    const config = parseConfig({
      store: tmp.url,
      connections: [
        {
          name: 'fake',
          youtrack: { url: 'http://127.0.0.1:9/never-called', token: 'perm:unused' },
          customcrm: { url: 'http://127.0.0.1:9/never-called', token: 'unused' },
        },
      ],
    });
    rt = createConnectionRuntime(config.connections[0]!, {
      logger,
      connectors: (_connection, system) => (system === 'youtrack' ? yt : crm),
    });
  });

  it('creates the missing records on the other side, links by e-mail, then has nothing to do', async () => {
    const acme = yt.put('Organization', { name: 'Acme', description: '' });
    yt.put('User', ytUser('ada', 'Ada Lovelace', [acme.id]));
    yt.put('User', ytUser('bob', 'Bob Babbage'));
    const bob = crm.put('Contact', { FirstName: 'Bob', LastName: 'Babbage', Email: 'bob@example.com' });

    const first = await runCycle(rt, { store: tmp.store, logger }, { kind: 'full' });
    expect(first.status).toBe('ok');
    const [customer, ...moreCustomers] = crm.all('Customer');
    expect(moreCustomers).toEqual([]);
    expect(customer?.props['Name']).toBe('Acme');
    expect(customer?.externalRefs).toEqual([{ System: 'YouTrack', Type: 'Organization', Id: acme.id }]);
    const contacts = crm.all('Contact');
    // Bob was linked by e-mail, not created a second time; Ada was created, in Acme.
    expect(contacts.map((c) => c.props['Email']).sort()).toEqual(['ada@example.com', 'bob@example.com']);
    expect(contacts.find((c) => c.props['Email'] === 'ada@example.com')?.props['CustomerId']).toBe(
      customer?.id,
    );
    expect(contacts.find((c) => c.id === bob.id)?.props['Username']).toBe('bob');
    expect(yt.writes).toEqual([]);

    const writesBefore = [...yt.writes, ...crm.writes].length;
    const second = await runCycle(rt, { store: tmp.store, logger }, { kind: 'full' });
    expect(second.status).toBe('ok');
    expect(second.writes).toBe(0);
    expect([...yt.writes, ...crm.writes]).toHaveLength(writesBefore);
  });

  it('carries an edit made on the CRM side to YouTrack in an incremental cycle', async () => {
    const user = yt.put('User', ytUser('bob', 'Bob Babbage'));
    expect((await runCycle(rt, { store: tmp.store, logger }, { kind: 'full' })).status).toBe('ok');
    const [contact] = crm.all('Contact');
    await crm.update('Contact', contact!.id, { FirstName: 'Robert' });

    const incremental = await runCycle(rt, { store: tmp.store, logger }, { kind: 'incremental' });
    expect(incremental.status).toBe('ok');
    expect((await yt.read('User', user.id))?.props['fullName']).toBe('Robert Babbage');
    expect(yt.writes).toEqual([`update User ${user.id}`]);
  });
});

function ytUser(login: string, fullName: string, organizations: string[] = []): Props {
  return { login, fullName, email: `${login}@example.com`, banned: false, organizations, groups: [] };
}
