import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A CRM with a different API shape for tests: it fronts the reference server's contract API over
 * HTTP and speaks another dialect, so the profile-driven connector is tested on real HTTP.
 *  - 'snake': snake_case names, /companies and /people, page-number paging, bare-array lists,
 *    epoch-ms timestamps, X-Api-Key auth, no ETag/Version, no idempotency keys, no external
 *    references, no server-time header, modifiedSince as `updated_since` (epoch ms).
 *  - 'offset': camelCase names, offset paging, lists under `results`, basic auth, ETags, external
 *    references (filter `ref`), no idempotency keys, no modifiedSince, no webhooks.
 *  - 'contract': passes everything through (a flaky proxy in front of the reference server).
 * `truncateNext('POST')` forwards the next such call, then cuts its answer in half: an ambiguous failure.
 */
export type AdapterShape = 'snake' | 'offset' | 'contract';

export interface AdapterServer {
  url: string;
  truncateNext(method: string): void;
  close(): Promise<void>;
}

const PATHS: Record<AdapterShape, Record<string, string>> = {
  snake: { companies: 'customers', people: 'contacts' },
  offset: { customers: 'customers', contacts: 'contacts' },
  contract: {
    customers: 'customers',
    contacts: 'contacts',
    webhooks: 'webhooks',
    capabilities: 'capabilities',
  },
};
const TIMESTAMPS = new Set(['CreatedAt', 'UpdatedAt']);

function toWireName(shape: AdapterShape, contract: string): string {
  if (shape === 'snake') return contract.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (shape === 'offset') return contract.charAt(0).toLowerCase() + contract.slice(1);
  return contract;
}

function toContractName(shape: AdapterShape, wire: string): string {
  if (shape === 'snake') return wire.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
  if (shape === 'offset') return wire.charAt(0).toUpperCase() + wire.slice(1);
  return wire;
}

function recordOut(shape: AdapterShape, r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (shape === 'snake' && (k === 'Version' || k === 'ExternalRefs')) continue;
    out[toWireName(shape, k)] =
      shape === 'snake' && TIMESTAMPS.has(k) && typeof v === 'string' ? Date.parse(v) : v;
  }
  return out;
}

function bodyIn(shape: AdapterShape, body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[toContractName(shape, k)] = v;
  return out;
}

function authorized(shape: AdapterShape, req: IncomingMessage, key: string, username: string): boolean {
  if (shape === 'snake') return req.headers['x-api-key'] === key;
  if (shape === 'offset')
    return req.headers.authorization === 'Basic ' + Buffer.from(`${username}:${key}`).toString('base64');
  return req.headers.authorization === `Bearer ${key}`;
}

export async function startAdapterServer(opts: {
  /** The reference server's API root (…/v1). */
  upstream: string;
  upstreamToken: string;
  shape: AdapterShape;
  /** API key, basic password or bearer token the adapter expects. */
  key: string;
  username?: string;
}): Promise<AdapterServer> {
  const { shape } = opts;
  const truncate = new Set<string>();

  const upstream = async (
    method: string,
    path: string,
    body?: string,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(opts.upstream + path, {
      method,
      headers: {
        authorization: `Bearer ${opts.upstreamToken}`,
        'content-type': 'application/json',
        ...headers,
      },
      ...(body !== undefined && body !== '' ? { body } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      json: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };

  const listAll = async (resource: string, q: URLSearchParams) => {
    const query = new URLSearchParams({ limit: '1000' });
    const email = q.get('email');
    if (email !== null) query.set('email', email);
    const ref = q.get('ref');
    if (shape === 'offset' && ref !== null) query.set('externalRef', ref);
    const since = q.get('updated_since');
    if (shape === 'snake' && since !== null) {
      query.set('modifiedSince', new Date(Number(since)).toISOString());
      query.set('includeDeleted', 'true');
    }
    const items: Array<Record<string, unknown>> = [];
    for (;;) {
      const r = await upstream('GET', `/${resource}?${query.toString()}`);
      const page = r.json as { data: Array<Record<string, unknown>>; nextCursor: string | null };
      items.push(...page.data);
      if (!page.nextCursor) return items;
      query.set('cursor', page.nextCursor);
    }
  };

  const answer = async (req: IncomingMessage, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://adapter');
    const method = req.method ?? 'GET';
    // The contract shape keeps the contract's /v1 root; upstream already ends with it.
    const pathname = shape === 'contract' ? url.pathname.replace(/^\/v1(?=\/)/, '') : url.pathname;
    const [first, id, ...rest] = pathname.split('/').filter(Boolean);
    const resource = first ? PATHS[shape][first] : undefined;
    if (!resource || rest.length) return { status: 404, headers: {}, body: { error: 'no such path' } };
    if (shape === 'contract') {
      const headers: Record<string, string> = {};
      for (const h of ['if-match', 'idempotency-key']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      const r = await upstream(method, pathname + url.search, raw, headers);
      const pass: Record<string, string> = {};
      for (const h of ['etag', 'x-server-time', 'location', 'idempotent-replayed', 'content-type'])
        if (r.headers.get(h)) pass[h] = r.headers.get(h) as string;
      return { status: r.status, headers: pass, body: r.json };
    }
    if (method === 'GET' && id === undefined) {
      const all = (await listAll(resource, url.searchParams)).map((r) => recordOut(shape, r));
      if (shape === 'snake') {
        const size = Number(url.searchParams.get('per_page') ?? 20);
        const page = Number(url.searchParams.get('page') ?? 1);
        return { status: 200, headers: {}, body: all.slice((page - 1) * size, page * size) };
      }
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      return {
        status: 200,
        headers: {},
        body: { results: all.slice(offset, offset + limit), count: all.length },
      };
    }
    const headers: Record<string, string> = {};
    const ifMatch = req.headers['if-match'];
    if (shape === 'offset' && typeof ifMatch === 'string') headers['if-match'] = ifMatch;
    const path = `/${resource}${id !== undefined ? `/${encodeURIComponent(id)}` : ''}`;
    const sent = raw ? JSON.stringify(bodyIn(shape, JSON.parse(raw))) : undefined;
    const r = await upstream(method, path, sent, headers);
    const out: Record<string, string> = {};
    const etag = r.headers.get('etag');
    if (shape === 'offset' && etag) out.etag = etag;
    if (r.status >= 400) {
      const problem = r.json as { errors?: Array<{ property?: string }> } | undefined;
      for (const e of problem?.errors ?? []) if (e.property) e.property = toWireName(shape, e.property);
      return { status: r.status, headers: { 'content-type': 'application/problem+json' }, body: problem };
    }
    return {
      status: r.status,
      headers: out,
      body: r.json ? recordOut(shape, r.json as Record<string, unknown>) : undefined,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if (!authorized(shape, req, opts.key, opts.username ?? 'tandem')) {
      res.writeHead(401, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ title: 'Unauthorized', status: 401 }));
      return;
    }
    const a = await answer(req, raw);
    const text = a.body === undefined ? '' : JSON.stringify(a.body);
    const headers = { 'content-type': 'application/json', ...a.headers };
    const method = req.method ?? 'GET';
    if (truncate.delete(method) && text) {
      const buf = Buffer.from(text);
      res.writeHead(a.status, { ...headers, 'content-length': String(buf.length) });
      res.write(buf.subarray(0, Math.floor(buf.length / 2)));
      res.socket?.destroy();
      return;
    }
    res.writeHead(a.status, headers);
    res.end(text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    truncateNext: (method) => truncate.add(method.toUpperCase()),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
