import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { FaultInjector, applyFault, handleFaultAdmin } from '../shared/faults.ts';
import { registerSecret } from '../../log/redact.ts';
import { CrmDatabase } from './database.ts';
import { BodyTooLarge, problem, problemReply, readBody, send, type Reply } from './http.ts';
import { render, type CrmCapability } from './records.ts';
import { capabilities, route, type ApiContext } from './routes.ts';
import { seedDatabase } from './seed.ts';
import { WebhookDispatcher } from './webhooks.ts';

export { CrmDatabase } from './database.ts';
export type { ListQuery, ListPage } from './database.ts';
export { signWebhook, EVENT_TYPES } from './webhooks.ts';
export { CrmStoreError } from './records.ts';
export type {
  CrmCapability,
  CrmChange,
  CrmContact,
  CrmCustomer,
  CrmRecord,
  CrmTombstone,
  CrmEventType,
} from './records.ts';
export type { CrmKind, FieldError } from './fields.ts';

export interface CustomcrmServerOptions {
  port?: number;
  host?: string;
  db?: string;
  token?: string;
  seed?: 'demo' | 'empty';
  customers?: number;
  contacts?: number;
  randomSeed?: number;
  faults?: string;
  disable?: CrmCapability[];
  webhookRetry?: { attempts: number; baseDelayMs: number };
  clock?: () => number;
}

export interface CustomcrmServer {
  url: string;
  port: number;
  store: CrmDatabase;
  faults: FaultInjector;
  close(): Promise<void>;
}

export const DEFAULT_TOKEN = 'crm-demo-token';

export async function startCustomcrmServer(opts: CustomcrmServerOptions = {}): Promise<CustomcrmServer> {
  const now = opts.clock ?? Date.now;
  const disabled = new Set(opts.disable ?? []);
  const token = opts.token ?? DEFAULT_TOKEN;
  registerSecret(token);
  const faults = new FaultInjector(opts.faults);
  const db = new CrmDatabase(opts.db ?? ':memory:', now, !disabled.has('externalRefs'));
  seedDatabase(db, opts);
  const ctx: ApiContext = { db, disabled, now };
  const dispatcher = disabled.has('webhooks')
    ? undefined
    : new WebhookDispatcher(db, opts.webhookRetry ?? { attempts: 6, baseDelayMs: 1000 }, now, (c) =>
        render(c.data, disabled),
      );
  if (dispatcher) db.onChange((c) => dispatcher.handle(c));

  const server = createServer((req, res) => {
    handle(ctx, token, faults, req, res).catch((err: unknown) => {
      if (!res.headersSent)
        send(
          res,
          problemReply(problem(500, 'server-error', `Unexpected server error: ${String(err)}`)),
          false,
        );
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  // A second close() gets the first one's promise instead of closing a closed database.
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store: db,
    faults,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await dispatcher?.close();
        db.close();
      })();
      return closing;
    },
  };
}

async function handle(
  ctx: ApiContext,
  token: string,
  faults: FaultInjector,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.startsWith('/_admin/')) {
    if (await handleFaultAdmin(faults, req, res, () => readBody(req))) return;
    return send(
      res,
      problemReply(problem(404, 'not-found', `There is no admin page at ${url.pathname}`)),
      false,
    );
  }
  if (url.pathname !== '/v1' && !url.pathname.startsWith('/v1/'))
    return send(res, problemReply(problem(404, 'not-found', 'The API is under /v1')), false);
  const fault = await applyFault(faults, res, (status) =>
    JSON.stringify(
      status === 429
        ? problem(429, 'rate-limited', `Slow down; retry after ${faults.retryAfterSeconds} s`)
        : problem(status, 'server-error', 'Injected server error; nothing was applied, retry'),
    ),
  );
  if (fault === 'handled') return;
  send(res, await answer(ctx, token, req, url), fault.truncate);
}

async function answer(ctx: ApiContext, token: string, req: IncomingMessage, url: URL): Promise<Reply> {
  const segments = url.pathname.split('/').slice(2).map(safeDecode);
  if (segments.length === 1 && segments[0] === 'capabilities' && req.method === 'GET')
    return { status: 200, body: capabilities(ctx.disabled) };
  if (!authorized(req.headers.authorization, token))
    return problemReply(
      problem(
        401,
        'unauthorized',
        'Send the header "Authorization: Bearer <token>" with the token of this CRM',
      ),
      { 'www-authenticate': 'Bearer realm="customcrm"' },
    );
  try {
    return await route(ctx, {
      method: req.method ?? 'GET',
      segments,
      query: url.searchParams,
      headers: req.headers,
      body: () => readBody(req),
    });
  } catch (err) {
    if (err instanceof BodyTooLarge) return problemReply(problem(413, 'payload-too-large', err.message));
    throw err;
  }
}

function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const given = Buffer.from(m[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
