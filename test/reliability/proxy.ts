import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

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
