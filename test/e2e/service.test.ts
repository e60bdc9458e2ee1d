import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { startService, type Service } from '../../src/cli/service.ts';
import type { Context } from '../../src/cli/context.ts';
import type { CycleReport } from '../../src/engine/cycle.ts';
import { buildApp } from '../../src/app/app.ts';
import { dashboardRoutes } from '../../src/server/dashboard/index.ts';
import { JsonLogger } from '../../src/log/logger.ts';
import { CRM_TOKEN, World, YT_TOKEN } from '../helpers/world.ts';

const DASHBOARD_TOKEN = 'dash-token-Pq73-distinct';
const WEBHOOK_SECRET = 'whsec-Lm29-distinct-secret';

/** `tandem run`'s composition root with real emulators: the runner, /metrics, webhooks, the dashboard. */
describe('the running service', () => {
  let w: World;
  let service: Service;
  const cycles: CycleReport[] = [];
  let waiters: Array<() => void> = [];
  const nextCycle = () => new Promise<void>((r) => waiters.push(r));

  beforeAll(async () => {
    w = await World.start();
    const config = parseConfig({
      store: w.config.store,
      server: { host: '127.0.0.1', port: 0, token: DASHBOARD_TOKEN },
      connections: [
        {
          name: 'test',
          youtrack: { url: w.yt.url, token: YT_TOKEN, retry: { baseDelayMs: 1 } },
          customcrm: {
            url: `${w.crm.url}/v1`,
            token: CRM_TOKEN,
            webhookSecret: WEBHOOK_SECRET,
            retry: { baseDelayMs: 1 },
          },
          schedule: { intervalSeconds: 3600, reconcileEverySeconds: 3600 },
        },
      ],
    });
    const logger = new JsonLogger(w.logs, 'debug');
    const ctx: Context = {
      ...buildApp(config, { store: w.store, logger, metrics: w.metrics }),
      close: async () => undefined,
    };
    const first = nextCycle();
    service = await startService(ctx, {
      extraRoutes: (c, runner) => dashboardRoutes({ store: c.store, metrics: c.metrics, runner }),
      onCycle: (r) => {
        cycles.push(r);
        const ws = waiters;
        waiters = [];
        for (const f of ws) f();
      },
    });
    await first;
  });
  afterAll(async () => {
    await service.stop();
    await w.close();
  });

  it('ran a full first cycle on start', () => {
    expect(cycles[0]?.kind).toBe('full');
    expect(cycles[0]?.status).toBe('ok');
  });

  it('serves Prometheus metrics behind the token', async () => {
    expect((await fetch(`${service.server.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${service.server.url}/metrics`, {
      headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE tandem_cycles_total counter$/m);
    expect(text).toMatch(/^tandem_cycles_total\{connection="test",status="ok"\} [1-9]/m);
    expect(text).toMatch(/^tandem_api_calls_total\{connection="test",status="200",system="youtrack"\} \d+/m);
    expect(text).toMatch(
      /^tandem_records_read_total\{connection="test",flow="users",system="youtrack"\} [1-9]/m,
    );
    expect(text).toMatch(/^tandem_records_written_total\{/m);
    expect(text).toMatch(/^tandem_links\{connection="test",flow="users",status="active"\} [1-9]/m);
    expect(text).toMatch(/^tandem_seconds_since_last_success\{connection="test"\} \d+/m);
    expect(text).toMatch(/^tandem_quarantined_records\{connection="test"\} \d+/m);
    expect(text).toMatch(/^tandem_conflicts_open\{connection="test"\} \d+/m);
    expect(text).not.toContain(YT_TOKEN);
    expect(text).not.toContain(CRM_TOKEN);
  });

  it('subscribes to Customcrm webhooks and syncs a change as soon as it is delivered', async () => {
    const link = (await w.store.listLinks({ flow: 'groups', status: 'active' }))[0]!;
    const readName = async () =>
      (await w.hub<{ name: string }>('GET', `/usergroups/${link.ytId}?fields=name`)).name;
    let next = nextCycle();
    await w.crmApi('PATCH', `/customers/${link.crmId}`, { Name: 'Renamed through a webhook' });
    // The first sync's own writes come back as webhooks too: a cycle they started may end first.
    // With the schedule at an hour, only a delivery starts a cycle; the rename's does within 10.
    let name = '';
    for (let i = 0; i < 10 && name !== 'Renamed through a webhook'; i++) {
      await next;
      next = nextCycle();
      name = await readName();
    }
    expect(name).toBe('Renamed through a webhook');
    expect(cycles.at(-1)!.kind).toBe('incremental');
    const metrics = await (
      await fetch(`${service.server.url}/metrics`, {
        headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` },
      })
    ).text();
    expect(metrics).toMatch(
      /^tandem_webhook_deliveries_total\{connection="test",outcome="accepted"\} [1-9]/m,
    );
  });

  it('rejects a forged webhook with 401', async () => {
    const res = await fetch(`${service.server.url}/webhooks/customcrm/test`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'customcrm-webhook-id': 'evt_forged',
        'customcrm-webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'customcrm-webhook-signature': 'v1=' + '0'.repeat(64),
      },
      body: JSON.stringify({
        Id: 'evt_forged',
        Type: 'customer.updated',
        OccurredAt: new Date().toISOString(),
        Data: { Id: 'cus_1' },
      }),
    });
    expect(res.status).toBe(401);
    expect(w.logs.lines.join('\n')).not.toContain(WEBHOOK_SECRET);
  });

  it('serves the dashboard overview with the token', async () => {
    const res = await fetch(`${service.server.url}/`, {
      headers: { authorization: `Bearer ${DASHBOARD_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/users/i);
    expect(html).not.toContain(DASHBOARD_TOKEN);
  });
});
