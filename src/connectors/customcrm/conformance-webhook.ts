import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckStatus, Probe, ProbeResponse } from './probe.ts';
import { evidence } from './probe.ts';
import { createWebhookReceiver } from './webhook.ts';

/**
 * Subscribes a listener on this machine, makes a change and waits for its signed delivery.
 * The subscription is removed afterwards whatever happens.
 */
export async function checkWebhookDelivery(args: {
  probe: Probe;
  path: string;
  secret: string;
  waitMs: number;
  trigger: () => Promise<ProbeResponse>;
  recordId: string;
  idProperty: string;
}): Promise<{ status: CheckStatus; evidence: string }> {
  const receiver = createWebhookReceiver({ secret: args.secret });
  let settle: (r: { status: CheckStatus; evidence: string }) => void = () => undefined;
  const outcome = new Promise<{ status: CheckStatus; evidence: string }>((resolve) => (settle = resolve));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v[0] : v;
      const result = receiver.handle(raw, headers);
      res.writeHead(result.ok ? 204 : result.status).end();
      if (!result.ok)
        settle({ status: 'wrong', evidence: `a delivery was rejected: ${result.code} (${result.message})` });
      else if (result.change.id === args.recordId)
        settle({
          status: 'passed',
          evidence: `signed delivery received and verified: ${result.change.type} ${result.change.op} ${result.change.id}`,
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tandem-check`;
  let subscriptionId: string | undefined;
  try {
    const sub = await args.probe.request('POST', args.path, {
      body: { Url: url, Events: ['*'], Secret: args.secret },
    });
    const id = (sub.body as Record<string, unknown> | undefined)?.Id;
    if (sub.status >= 300 || typeof id !== 'string')
      return { status: 'wrong', evidence: `POST ${args.path}: ${evidence(sub)}` };
    subscriptionId = id;
    if (JSON.stringify(sub.body).includes(args.secret))
      return { status: 'wrong', evidence: `POST ${args.path} echoes the Secret` };
    await args.trigger();
    const timer = new Promise<{ status: CheckStatus; evidence: string }>((resolve) => {
      const t = setTimeout(
        () =>
          resolve({
            status: 'not-checked',
            evidence: `subscription ${id} accepted, but no delivery reached ${url} within ${args.waitMs} ms (can the server reach this machine?)`,
          }),
        args.waitMs,
      );
      void outcome.finally(() => clearTimeout(t));
    });
    return await Promise.race([outcome, timer]);
  } finally {
    if (subscriptionId)
      await args.probe
        .request('DELETE', `${args.path}/${encodeURIComponent(subscriptionId)}`)
        .catch(() => undefined);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
