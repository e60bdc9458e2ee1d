import type { ListQuery } from './database.ts';
import type { CrmKind, ExternalRefValue } from './fields.ts';
import { parseObject, problem, problemReply, type Reply } from './http.ts';
import { iso, parseId, render, type CrmCapability } from './records.ts';
import { EVENT_TYPES } from './webhooks.ts';
import { batch } from './batch.ts';
import {
  createOne,
  header,
  notFound,
  recordReply,
  writeOne,
  type ApiContext,
  type ApiRequest,
} from './writes.ts';

export type { ApiContext, ApiRequest } from './writes.ts';

const KINDS: readonly string[] = ['customers', 'contacts'];

export function capabilities(disabled: ReadonlySet<CrmCapability>): Record<string, boolean> {
  return {
    etag: !disabled.has('etag'),
    idempotencyKeys: !disabled.has('idempotency'),
    externalRefs: !disabled.has('externalRefs'),
    webhooks: !disabled.has('webhooks'),
    modifiedSince: !disabled.has('modifiedSince'),
    batch: !disabled.has('batch'),
  };
}

/** Routes an authenticated `/v1` call. */
export async function route(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  const [first, id, ...rest] = req.segments;
  const allow = (methods: string): Reply | undefined =>
    methods.split(',').includes(req.method)
      ? undefined
      : problemReply(
          problem(405, 'method-not-allowed', `${req.method} is not allowed here; use ${methods}`),
          {
            allow: methods,
          },
        );
  if (first && KINDS.includes(first) && rest.length === 0) {
    const kind = first as CrmKind;
    if (id === undefined)
      return allow('GET,POST') ?? (req.method === 'GET' ? list(ctx, kind, req) : create(ctx, kind, req));
    return allow('GET,PATCH,DELETE') ?? one(ctx, kind, id, req);
  }
  if (
    !ctx.disabled.has('batch') &&
    first &&
    KINDS.includes(first) &&
    id === 'batch' &&
    rest.length === 1 &&
    /^(create|update)$/.test(rest[0]!)
  )
    return allow('POST') ?? batch(ctx, first as CrmKind, rest[0] as 'create' | 'update', req);
  if (first === 'webhooks' && !ctx.disabled.has('webhooks') && rest.length === 0) {
    if (id === undefined)
      return allow('GET,POST') ?? (req.method === 'GET' ? listWebhooks(ctx) : addWebhook(ctx, req));
    return allow('DELETE') ?? removeWebhook(ctx, id);
  }
  return problemReply(problem(404, 'not-found', `There is no resource at /v1/${req.segments.join('/')}`));
}

function list(ctx: ApiContext, kind: CrmKind, req: ApiRequest): Reply {
  const serverTime = iso(ctx.now());
  const q = parseListQuery(ctx, kind, req.query);
  if (typeof q === 'string') return problemReply(problem(400, 'invalid-parameter', q));
  const page = ctx.db.list(kind, q);
  return {
    status: 200,
    headers: { 'x-server-time': serverTime },
    body: {
      data: page.data.map((r) => render(r, ctx.disabled)),
      nextCursor: page.lastId === null ? null : encodeCursor(kind, page.lastId),
    },
  };
}

function parseListQuery(ctx: ApiContext, kind: CrmKind, params: URLSearchParams): ListQuery | string {
  const known = ['limit', 'cursor', 'email', 'includeDeleted'];
  if (!ctx.disabled.has('modifiedSince')) known.push('modifiedSince');
  if (!ctx.disabled.has('externalRefs')) known.push('externalRef');
  for (const name of new Set(params.keys())) {
    if (!known.includes(name))
      return `Unknown query parameter "${name}"; this server knows ${known.join(', ')}`;
    if (params.getAll(name).length > 1)
      return `Query parameter "${name}" is given more than once; give it once`;
  }
  const q: ListQuery = { limit: 100 };
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000)
      return `limit must be an integer from 1 to 1000, got "${limit}"`;
    q.limit = Number(limit);
  }
  const cursor = params.get('cursor');
  if (cursor !== null) {
    const after = decodeCursor(kind, cursor);
    if (after === undefined)
      return `cursor "${cursor}" was not made by this list; start again without a cursor`;
    q.afterId = after;
  }
  const since = params.get('modifiedSince');
  if (since !== null) {
    const ms = parseIsoTime(since);
    if (ms === undefined)
      return `modifiedSince must be an ISO 8601 date-time with a time zone, e.g. 2026-01-31T12:00:00.000Z; got "${since}"`;
    q.modifiedSince = ms;
  }
  const email = params.get('email');
  if (email !== null) q.email = email;
  const ref = params.get('externalRef');
  if (ref !== null) {
    const m = /^([^:]+):([^:]+):(.+)$/.exec(ref);
    if (!m) return `externalRef must be System:Type:Id, got "${ref}"`;
    q.externalRef = { System: m[1], Type: m[2], Id: m[3] } as ExternalRefValue;
  }
  const del = params.get('includeDeleted');
  if (del !== null) {
    if (del !== 'true' && del !== 'false') return `includeDeleted must be true or false, got "${del}"`;
    q.includeDeleted = del === 'true';
  }
  return q;
}

async function create(ctx: ApiContext, kind: CrmKind, req: ApiRequest): Promise<Reply> {
  const body = parseObject(await req.body());
  if (typeof body === 'string') return problemReply(problem(400, 'malformed-json', body));
  return createOne(
    ctx,
    kind,
    body,
    ctx.disabled.has('idempotency') ? undefined : header(req, 'idempotency-key'),
  );
}

async function one(ctx: ApiContext, kind: CrmKind, id: string, req: ApiRequest): Promise<Reply> {
  if (req.method === 'GET') {
    const record = ctx.db.get(kind, id);
    return record ? recordReply(ctx, kind, record, 200) : notFound(kind, id);
  }
  const patch = req.method === 'PATCH' ? parseObject(await req.body()) : {};
  if (typeof patch === 'string') return problemReply(problem(400, 'malformed-json', patch));
  return writeOne(ctx, kind, id, req.method === 'DELETE' ? null : patch, header(req, 'if-match'));
}

function listWebhooks(ctx: ApiContext): Reply {
  return { status: 200, body: { data: ctx.db.listWebhooks().map(({ Secret: _secret, ...w }) => w) } };
}

async function addWebhook(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  const body = parseObject(await req.body());
  if (typeof body === 'string') return problemReply(problem(400, 'malformed-json', body));
  const errors = checkSubscription(body);
  if (errors.length)
    return problemReply(
      problem(
        422,
        'validation-failed',
        `The webhook was not saved: ${errors.map((e) => e.message).join('; ')}`,
        errors,
      ),
    );
  const { Secret: _secret, ...shown } = ctx.db.addWebhook(
    body.Url as string,
    body.Events as string[],
    body.Secret as string,
  );
  return { status: 201, headers: { location: `/v1/webhooks/${shown.Id}` }, body: shown };
}

function checkSubscription(body: Record<string, unknown>) {
  const errors: Array<{
    property: string;
    code: 'unknown-property' | 'invalid-type' | 'required';
    message: string;
  }> = [];
  for (const property of Object.keys(body))
    if (!['Url', 'Events', 'Secret'].includes(property))
      errors.push({
        property,
        code: 'unknown-property',
        message: `A webhook has no property ${property}; known: Url, Events, Secret`,
      });
  if (typeof body.Url !== 'string' || !/^https?:\/\/\S+$/.test(body.Url) || !URL.canParse(body.Url))
    errors.push({ property: 'Url', code: 'required', message: 'Url must be an http:// or https:// URL' });
  const events = body.Events;
  const valid =
    Array.isArray(events) &&
    events.length > 0 &&
    (events.length === 1 && events[0] === '*'
      ? true
      : events.every((e) => (EVENT_TYPES as readonly unknown[]).includes(e)));
  if (!valid)
    errors.push({
      property: 'Events',
      code: 'invalid-type',
      message: `Events must be ["*"] or a non-empty list of ${EVENT_TYPES.join(', ')}`,
    });
  if (typeof body.Secret !== 'string' || body.Secret.length < 8 || body.Secret.length > 500)
    errors.push({
      property: 'Secret',
      code: 'required',
      message: 'Secret must be a string of 8 to 500 characters',
    });
  return errors;
}

function removeWebhook(ctx: ApiContext, id: string): Reply {
  return ctx.db.removeWebhook(id)
    ? { status: 204 }
    : problemReply(problem(404, 'not-found', `Webhook ${id} does not exist`));
}

function encodeCursor(kind: CrmKind, lastId: string): string {
  return Buffer.from(JSON.stringify({ k: kind, a: lastId })).toString('base64url');
}

function decodeCursor(kind: CrmKind, cursor: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; a?: unknown };
    return v.k === kind && typeof v.a === 'string' && parseId(kind, v.a) !== undefined ? v.a : undefined;
  } catch {
    return undefined;
  }
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseIsoTime(text: string): number | undefined {
  if (!ISO_TIME.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
