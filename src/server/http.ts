import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../log/logger.ts';
import { redact } from '../log/redact.ts';
import { hasControl, stripControl } from '../log/terminal.ts';

/** Why a request is refused before its body is read: answered with this status and message. */
export interface Refusal {
  status: number;
  message: string;
}

export interface Route {
  method: string;
  /** Exact path, or a pattern whose groups are passed to the handler. */
  path: string | RegExp;
  /** 'token': the dashboard token is required; 'none': the handler authenticates (webhooks) or needs none. */
  auth: 'token' | 'none';
  /** Largest body the route accepts, in bytes (default 64 KiB); a larger one answers 413 and closes. */
  bodyLimit?: number;
  /**
   * Runs on the headers alone, before a byte of the body is read: a webhook without a signature or
   * for an unknown connection is refused here, so a stalled or huge unsigned body costs nothing.
   */
  precheck?(req: IncomingMessage, params: string[]): Refusal | null;
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
  /** The address users open (server.publicUrl); an https one makes the session cookie `Secure`. */
  publicUrl?: string | undefined;
  /** Failed logins allowed per client address and minute before it gets 429 (default 20). */
  maxFailedLogins?: number;
  /** How long a login link stays valid (default 10 minutes). */
  loginLinkTtlMs?: number;
  now?: () => number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** A single-use, short-lived address that logs a browser in (sets the session cookie). */
  loginLink(): string;
  close(): Promise<void>;
}

/** The port is taken, or the address cannot be bound: one clear line for the operator. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

const COOKIE = 'tandem_token';
const DEFAULT_BODY_LIMIT = 64 * 1024;
/** The largest body any route may declare; Fastify's own limit is set to it. */
const MAX_BODY_LIMIT = 4 * 1024 * 1024;
const MINUTE = 60_000;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of one cookie, or undefined; a malformed header or value counts as absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The token from `Authorization: Bearer` or the session cookie; never from the URL. */
function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return readCookie(req.headers.cookie, COOKIE);
}

/**
 * Query input no page can use is refused at the edge with 400 (not left to fail deeper as a 500):
 * control characters anywhere, and a paging number that is not a whole number below a million.
 */
function badQuery(url: URL): string | null {
  for (const [k, v] of url.searchParams) {
    if (hasControl(k) || hasControl(v))
      return `the query parameter "${stripControl(k)}" holds a control character`;
    if ((k === 'page' || k === 'after' || k === 'before') && !/^\d{0,6}$/.test(v))
      return `the query parameter "${k}" must be a whole number below 1000000`;
  }
  return null;
}

/** Counts failed logins per client address in a one-minute window. */
class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();
  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}
  /** Seconds to wait, or 0 when this address may try. */
  blocked(ip: string): number {
    const f = this.failures.get(ip);
    if (!f) return 0;
    const left = f.since + MINUTE - this.now();
    if (left <= 0) {
      this.failures.delete(ip);
      return 0;
    }
    return f.count >= this.max ? Math.ceil(left / 1000) : 0;
  }
  fail(ip: string): void {
    const f = this.failures.get(ip);
    if (f && f.since + MINUTE > this.now()) f.count++;
    else this.failures.set(ip, { count: 1, since: this.now() });
    if (this.failures.size > 10_000) this.failures.clear();
  }
}

/** Single-use login codes, kept in memory for a few minutes. */
class LoginLinks {
  private readonly codes = new Map<string, number>();
  constructor(
    private readonly ttl: number,
    private readonly now: () => number,
  ) {}
  issue(): string {
    for (const [c, until] of this.codes) if (until < this.now()) this.codes.delete(c);
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, this.now() + this.ttl);
    return code;
  }
  /** True once per issued, unexpired code. */
  redeem(code: string): boolean {
    const until = this.codes.get(code);
    if (until === undefined) return false;
    this.codes.delete(code);
    return until >= this.now();
  }
}

const LOGIN_FORM = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tandem: log in</title></head>
<body><h1>Tandem dashboard</h1>
<p>Open the login link printed by <code>tandem run</code> or <code>tandem demo</code>, or enter the dashboard token
(<code>server.token</code>):</p>
<form method="post" action="/login"><input type="password" name="token" autocomplete="current-password" required>
<button>Log in</button></form></body></html>`;

type Matched = { route: Route; params: string[]; url: URL };

declare module 'fastify' {
  interface FastifyRequest {
    tandem: Matched | null;
  }
}

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply
    .code(status)
    .type('text/plain; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .send(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * The one HTTP edge of `tandem run` and `tandem demo`: dashboard, /metrics and webhook receiver
 * share it. Fastify parses and bounds every request (400 on a malformed URL or header, 413 and a
 * closed connection on an oversized body, header and request timeouts); authentication and
 * webhook prechecks run on the headers, before any body is read. No request can end the process:
 * every error becomes an answer and a log line.
 */
export async function startHttpServer(opts: ServerOptions): Promise<RunningServer> {
  const now = opts.now ?? Date.now;
  const throttle = new LoginThrottle(opts.maxFailedLogins ?? 20, now);
  const links = new LoginLinks(opts.loginLinkTtlMs ?? 10 * MINUTE, now);
  const secure = opts.publicUrl?.startsWith('https:') ?? false;
  const cookie = (value: string) =>
    `${COOKIE}=${encodeURIComponent(value)}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;

  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_LIMIT,
    // Header and body timeouts: a client that trickles either is cut off.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    maxRequestsPerSocket: 1000,
    return503OnClosing: true,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: 500, ignoreDuplicateSlashes: false },
    http: { maxHeaderSize: 16 * 1024 },
  });
  app.decorateRequest('tandem', null);

  const match = (method: string, url: URL): Matched | null => {
    for (const route of opts.routes) {
      if (route.method !== method) continue;
      if (typeof route.path === 'string') {
        if (route.path === url.pathname) return { route, params: [], url };
      } else {
        const m = route.path.exec(url.pathname);
        if (m) return { route, params: m.slice(1).map((p) => p ?? ''), url };
      }
    }
    return null;
  };

  const ipOf = (req: FastifyRequest) => req.ip || 'unknown';

  /** True (and answered 429) when this address failed too often in the last minute. */
  const throttled = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const wait = throttle.blocked(ipOf(req));
    if (wait > 0)
      void plain(
        reply.header('retry-after', String(wait)),
        429,
        `Too many failed logins; try again in ${wait} s.`,
      );
    return wait > 0;
  };

  /** Checks a presented token; a wrong one counts against the address. */
  const authorized = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (!opts.token) return true;
    if (throttled(req, reply)) return false;
    const token = presentedToken(req.raw);
    if (token && sameSecret(token, opts.token)) return true;
    if (token) throttle.fail(ipOf(req));
    void plain(
      reply,
      401,
      'The dashboard needs its token: open the login link printed by `tandem run`/`tandem demo`, log in at /login, or send Authorization: Bearer TOKEN.',
    );
    return false;
  };

  // Runs on the request line and headers only: nothing of the body has been read yet.
  app.addHook('onRequest', async (req, reply) => {
    let url: URL;
    try {
      url = new URL(req.raw.url ?? '/', 'http://localhost');
    } catch {
      return plain(reply, 400, 'The request target is not a valid URL.');
    }
    if (url.pathname.startsWith('/login')) return;
    const bad = badQuery(url);
    if (bad) return plain(reply, 400, `Bad request: ${bad}.`);
    const found = match(req.method, url);
    if (!found) return plain(reply, 404, 'Not found');
    if (found.route.auth === 'token' && !authorized(req, reply)) return reply;
    const refused = found.route.precheck?.(req.raw, found.params);
    if (refused) return plain(reply.header('connection', 'close'), refused.status, refused.message);
    const declared = Number(req.headers['content-length']);
    if (declared > (found.route.bodyLimit ?? DEFAULT_BODY_LIMIT))
      return plain(reply.header('connection', 'close'), 413, 'The request body is too large.');
    req.tandem = found;
    return;
  });

  // Bodies arrive as text whatever their type; the route's own limit applies while reading.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (req, payload, done) => {
    const limit = req.tandem?.route.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (err: Error | null, body?: string) => {
      if (finished) return;
      finished = true;
      done(err, body);
    };
    payload.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        const err = Object.assign(new Error('The request body is too large.'), { statusCode: 413 });
        payload.removeAllListeners('data');
        payload.resume();
        finish(err);
      } else chunks.push(c);
    });
    payload.on('end', () => finish(null, Buffer.concat(chunks).toString('utf8')));
    payload.on('error', (err) => finish(Object.assign(err, { statusCode: 400 })));
  });

  app.get('/login', async (_req, reply) => reply.type('text/html; charset=utf-8').send(LOGIN_FORM));
  app.get<{ Params: { code: string } }>('/login/:code', async (req, reply) => {
    if (throttled(req, reply)) return reply;
    if (!opts.token || !links.redeem(req.params.code)) {
      throttle.fail(ipOf(req));
      return plain(
        reply,
        401,
        'This login link is used or expired. Log in at /login, or start the command again.',
      );
    }
    return reply.code(303).header('set-cookie', cookie(opts.token)).header('location', '/').send();
  });
  app.post('/login', async (req, reply) => {
    if (throttled(req, reply)) return reply;
    const token = new URLSearchParams(typeof req.body === 'string' ? req.body : '').get('token') ?? '';
    if (!opts.token || !sameSecret(token, opts.token)) {
      throttle.fail(ipOf(req));
      return plain(reply, 401, 'Wrong token.');
    }
    return reply.code(303).header('set-cookie', cookie(opts.token)).header('location', '/').send();
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '*',
    handler: async (req, reply) => {
      const found = req.tandem;
      if (!found) return plain(reply, 404, 'Not found');
      const body = typeof req.body === 'string' ? req.body : '';
      reply.hijack();
      const res = reply.raw;
      try {
        await found.route.handle(req.raw, res, {
          params: found.params,
          url: found.url,
          body: () => Promise.resolve(body),
        });
      } catch (err) {
        opts.logger.error('request failed', {
          path: found.url.pathname,
          error: redact(err instanceof Error ? err.message : String(err)),
        });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        if (!res.writableEnded) res.end('Internal error; see the log.\n');
      }
    },
  });

  app.setNotFoundHandler((_req, reply) => plain(reply, 404, 'Not found'));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500)
      opts.logger.error('request failed', { path: req.url.split('?')[0], error: redact(err.message) });
    if (status === 413 || status === 408) reply.header('connection', 'close');
    const message =
      status === 413
        ? 'The request body is too large.'
        : status < 500
          ? `Bad request: ${err.message}`
          : 'Internal error; see the log.';
    return plain(reply, status, message);
  });

  try {
    await app.listen({ port: opts.port, host: opts.host });
  } catch (err) {
    await app.close().catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ListenError(
        `port ${opts.port} on ${opts.host} is in use by another process; stop it, or choose another with --port or server.port`,
      );
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
      throw new ListenError(
        `cannot listen on ${opts.host}:${opts.port} (${code}); check server.host and server.port`,
      );
    throw err;
  }
  app.server.headersTimeout = 10_000;
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${opts.host}:${port}`;
  return {
    url,
    port,
    loginLink: () => `${opts.publicUrl ?? url}/login/${links.issue()}`,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
