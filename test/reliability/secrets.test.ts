import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { signWebhook } from '../../src/connectors/customcrm/webhook.ts';
import { tandem } from '../helpers/cli.ts';
import { CRM_TOKEN, World, YT_TOKEN } from '../helpers/world.ts';
import { expectNoSecrets, recordFigures } from './figures.ts';
import { startRun, until, type RunningTandem } from './service.ts';

const WEBHOOK_SECRET = 'whsec-Distinct-Webhook-9f3kQ';
const DASH_TOKEN = 'dash-Distinct-Token-7Rw2x';
const SECRETS = [YT_TOKEN, CRM_TOKEN, WEBHOOK_SECRET, DASH_TOKEN];

describe('secrets never leave, and forged webhooks are rejected, through `tandem run`', () => {
  let w: World;
  let run: RunningTandem;
  let url: string;
  let config: string;
  const env = { YT_TOKEN, CRM_TOKEN, WH_SECRET: WEBHOOK_SECRET, DASH_TOKEN };
  const artifacts: Record<string, string | Buffer> = {};

  beforeAll(async () => {
    w = await World.start();
    config = join(w.dir, 'tandem.yaml');
    const side = (u: string, token: string) => ({
      url: u,
      token,
      retry: { baseDelayMs: 1, maxDelayMs: 20 },
      rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
    });
    writeFileSync(
      config,
      stringify({
        store: w.config.store,
        server: { token: '${DASH_TOKEN}' },
        connections: [
          {
            name: 'test',
            youtrack: side(w.yt.url, '${YT_TOKEN}'),
            customcrm: { ...side(`${w.crm.url}/v1`, '${CRM_TOKEN}'), webhookSecret: '${WH_SECRET}' },
            schedule: { intervalSeconds: 3600 },
          },
        ],
      }),
    );
    run = startRun(config, env);
    url = await run.url;
    await until(() => /cycle finished/.test(run.output()));
  });
  afterAll(async () => {
    if (run.child.exitCode === null) run.child.kill('SIGTERM');
    await run.exited;
    await w.close();
  });

  const deliver = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(`${url}/webhooks/customcrm/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await res.text();
    artifacts[`webhook answer ${Object.keys(artifacts).length}`] = text + JSON.stringify([...res.headers]);
    return { status: res.status, text };
  };

  it('rejects a bad signature, an old timestamp and a replayed id; accepts a good delivery once', async () => {
    const contact = (await w.crmAll<{ Id: string }>('contacts'))[0]!;
    const event = (id: string) =>
      JSON.stringify({
        Id: id,
        Type: 'contact.updated',
        OccurredAt: new Date().toISOString(),
        Data: contact,
      });
    const now = String(Math.floor(Date.now() / 1000));
    const signed = (body: string, ts = now) => ({
      'customcrm-webhook-timestamp': ts,
      'customcrm-webhook-signature': signWebhook(WEBHOOK_SECRET, ts, body),
      'customcrm-webhook-id': 'evt',
    });

    const good = event('evt-1');
    expect((await deliver(good, signed(good))).status).toBe(204);
    const replayed = await deliver(good, signed(good));
    expect(replayed.status).toBe(400);
    expect(replayed.text).toMatch(/already received/);

    const forged = event('evt-2');
    const badSig = await deliver(forged, {
      ...signed(forged),
      'customcrm-webhook-signature': signWebhook('not-the-secret', now, forged),
    });
    expect(badSig.status).toBe(401);
    expect(badSig.text).toMatch(/signature/);

    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const late = event('evt-3');
    const stale = await deliver(late, signed(late, old));
    expect(stale.status).toBe(401);
    expect(stale.text).toMatch(/tolerance/);
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${DASH_TOKEN}` } });
    const text = await metrics.text();
    expect(text).toMatch(/tandem_webhook_deliveries_total\{[^}]*outcome="BAD_SIGNATURE"/);
    expect(text).toMatch(/outcome="STALE_TIMESTAMP"/);
    expect(text).toMatch(/outcome="REPLAYED"/);
  });

  it('no log line, error, status output, state file or HTTP response holds a secret', async () => {
    for (const path of ['/', '/records?q=a', '/conflicts', '/quarantine', '/metrics', '/healthz']) {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${DASH_TOKEN}` } });
      expect(res.status, path).toBe(200);
      artifacts[`GET ${path}`] = (await res.text()) + JSON.stringify([...res.headers]);
    }
    const denied = await fetch(`${url}/`, { headers: { authorization: 'Bearer wrong-token-but-long' } });
    artifacts['GET / with a wrong token'] = (await denied.text()) + JSON.stringify([...denied.headers]);
    for (const args of [['status', '--json'], ['status'], ['history', 'a'], ['plan', '--json']]) {
      const r = await tandem([...args, '--config', config], env);
      artifacts[`tandem ${args.join(' ')}`] = r.stdout + r.stderr;
    }
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    // After `run` stopped: while it runs, the store's lock refuses a second writer.
    const wrong = await tandem(['sync', '--config', config], { ...env, CRM_TOKEN: 'crm-wrong-Distinct-55' });
    expect(wrong.code).not.toBe(0);
    artifacts['tandem sync with a wrong token'] = wrong.stdout + wrong.stderr;
    expect(wrong.stdout + wrong.stderr).not.toContain('crm-wrong-Distinct-55');
    artifacts['tandem run output'] = run.output();
    artifacts['state file'] = readFileSync(w.config.store.replace(/^sqlite:/, ''));
    artifacts['configuration file'] = readFileSync(config);
    const bytes = expectNoSecrets(SECRETS, artifacts);
    expect(bytes).toBeGreaterThan(10_000);
    recordFigures('secrets', {
      artifactsScanned: Object.keys(artifacts).length,
      bytesScanned: bytes,
      secretsFound: 0,
    });
  });
});
