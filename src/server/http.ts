import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log/logger.ts';
import { redact } from '../log/redact.ts';

export interface Route {
  method: string;
  /** Exact path, or a pattern whose groups are passed to the handler. */
  path: string | RegExp;
  /** 'token': the dashboard token is required; 'none': the handler authenticates (webhooks) or needs none. */
  auth: 'token' | 'none';
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: { params: string[]; url: URL; body: () => Promise<string> },
  ): Promise<void> | void;
}

export interface ServerOptions {
  host: string;
  port: number;
  token?: string | undefined;
  routes: Route[];
  logger: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'tandem_token';

function readBody(req: IncomingMessage, limit = 2 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token from `Authorization: Bearer`, the session cookie, or `?token=` (which then sets the cookie). */
function presentedToken(req: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7), fromQuery: false };
  const cookie = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(COOKIE + '='));
  if (cookie) return { token: decodeURIComponent(cookie.slice(COOKIE.length + 1)), fromQuery: false };
  const q = url.searchParams.get('token');
  return q ? { token: q, fromQuery: true } : { fromQuery: false };
}

/** The one HTTP edge of `tandem run`: dashboard, metrics and webhook receiver share it. */
export async function startHttpServer(opts: ServerOptions): Promise<RunningServer> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const route = opts.routes.find(
        (r) =>
          r.method === req.method &&
          (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)),
      );
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Not found\n');
        return;
      }
      if (route.auth === 'token' && opts.token) {
        const { token, fromQuery } = presentedToken(req, url);
        if (!token || !sameSecret(token, opts.token)) {
          res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(
            'The dashboard needs its token: open the address printed by `tandem run`/`tandem demo`, or send Authorization: Bearer TOKEN.\n',
          );
          return;
        }
        if (fromQuery && req.method === 'GET') {
          url.searchParams.delete('token');
          res.writeHead(303, {
            location: url.pathname + (url.search || ''),
            'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
          });
          res.end();
          return;
        }
      }
      const params = typeof route.path === 'string' ? [] : (route.path.exec(url.pathname)?.slice(1) ?? []);
      await route.handle(req, res, { params, url, body: () => readBody(req) });
    } catch (err) {
      opts.logger.error('request failed', {
        path: url.pathname,
        error: redact(err instanceof Error ? err.message : String(err)),
      });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Internal error; see the log.\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
