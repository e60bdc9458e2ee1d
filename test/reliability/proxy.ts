import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CRM_TOKEN, World } from '../helpers/world.ts';

export interface ProxiedCall {
  method: string;
  path: string;
  status: number;
  body: string;
}

/** What the proxy answers instead of the upstream's reply; undefined passes the reply through. */
export type Rewrite = (
  call: ProxiedCall,
) => { status: number; body: string; contentType?: string } | undefined;

export interface MisbehavingProxy {
  url: string;
  /** Set after the upstream has started. */
  target: string;
  rewrite: Rewrite | undefined;
  close(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A forwarding HTTP proxy on loopback that can turn the upstream's answers into ones the real
 * server never gives (an empty list, a 200 with HTML, wrong JSON types), because the Customcrm
 * emulator validates its own API and will not misbehave by itself.
 */
export async function startProxy(): Promise<MisbehavingProxy> {
  const proxy: MisbehavingProxy = { url: '', target: '', rewrite: undefined, close: async () => {} };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const upstream = await fetch(`${proxy.target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const text = await upstream.text();
      const call = { method: req.method ?? 'GET', path: req.url ?? '/', status: upstream.status, body: text };
      const out = proxy.rewrite?.(call);
      const outHeaders: Record<string, string> = {};
      upstream.headers.forEach((v, k) => {
        if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))
          outHeaders[k] = v;
      });
      if (out?.contentType) outHeaders['content-type'] = out.contentType;
      res.writeHead(out?.status ?? upstream.status, outHeaders);
      res.end(out?.body ?? text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

/** Retries and rate limits out of the way, for worlds whose faults come from the proxy. */
export const FAST = {
  retry: { baseDelayMs: 1, maxDelayMs: 20 },
  rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
};

/**
 * A World with a generated YouTrack directory and an empty Customcrm that Tandem reaches only
 * through a proxy, so that a test can record or rewrite every CRM call.
 */
export async function worldBehindProxy(youtrack: {
  users: number;
  groups: number;
  orgs: number;
  randomSeed: number;
}): Promise<{ w: World; proxy: MisbehavingProxy }> {
  const proxy = await startProxy();
  const w = await World.start({
    youtrack: { seed: 'empty', ...youtrack },
    customcrm: { seed: 'empty' },
    connection: { customcrm: { url: `${proxy.url}/v1`, token: CRM_TOKEN, ...FAST } },
  });
  proxy.target = w.crm.url;
  return { w, proxy };
}
