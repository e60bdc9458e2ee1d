import { createHash } from 'node:crypto';
import type { CrmDatabase } from './database.ts';
import type { CrmKind } from './fields.ts';
import { canonicalJson, problem, problemReply, type Reply } from './http.ts';
import { CrmStoreError, render, type CrmCapability, type CrmRecord } from './records.ts';

/**
 * The record writes of the Customcrm API, shared by the single routes (./routes.ts) and the batch
 * endpoints (./batch.ts), so that an item of a batch is answered exactly as the same request alone.
 */
export interface ApiContext {
  db: CrmDatabase;
  disabled: ReadonlySet<CrmCapability>;
  now: () => number;
}

export interface ApiRequest {
  method: string;
  /** Path segments after `/v1`. */
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: () => Promise<string>;
}

/** The 404 answer for a record that does not exist or was deleted. */
export function notFound(kind: CrmKind, id: string): Reply {
  return problemReply(
    problem(
      404,
      'not-found',
      `${kind === 'customers' ? 'Customer' : 'Contact'} ${id} does not exist or was deleted`,
    ),
  );
}

/** One create, alone or as an item of a batch: the same idempotency keys and answers. */
export function createOne(
  ctx: ApiContext,
  kind: CrmKind,
  body: Record<string, unknown>,
  key: string | undefined,
): Reply {
  if (key !== undefined && (key.length < 1 || key.length > 255))
    return problemReply(problem(400, 'invalid-parameter', 'Idempotency-Key must be 1 to 255 characters'));
  const bodyHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  if (key !== undefined) {
    const earlier = ctx.db.findIdempotent(kind, key);
    if (earlier && earlier.bodyHash !== bodyHash)
      return problemReply(
        problem(
          422,
          'idempotency-key-reused',
          `Idempotency-Key "${key}" was first used with a different body; use a new key for a different record`,
        ),
      );
    if (earlier)
      return {
        status: earlier.status,
        raw: earlier.body,
        headers: { ...earlier.headers, 'idempotent-replayed': 'true' },
      };
  }
  const result = attempt(() => ctx.db.create(kind, body));
  if ('status' in result) return result;
  const reply = recordReply(ctx, kind, result, 201);
  if (key !== undefined)
    ctx.db.saveIdempotent(kind, key, {
      bodyHash,
      status: 201,
      body: JSON.stringify(reply.body),
      headers: reply.headers ?? {},
    });
  return reply;
}

/** A PATCH (or, with a null patch, a DELETE), alone or as an item of a batch. */
export function writeOne(
  ctx: ApiContext,
  kind: CrmKind,
  id: string,
  patch: Record<string, unknown> | null,
  ifMatchValue: string | undefined,
): Reply {
  const current = ctx.db.get(kind, id);
  if (!current) return notFound(kind, id);
  const condition = ifMatch(ctx, kind, ifMatchValue, current);
  if ('status' in condition) return condition;
  if (patch === null) {
    const result = attempt(() => ctx.db.delete(kind, id, condition));
    return 'status' in result ? result : { status: 204 };
  }
  const result = attempt(() => ctx.db.update(kind, id, patch, condition));
  return 'status' in result ? result : recordReply(ctx, kind, result, 200);
}

/**
 * The version If-Match pins, or a 412 answer when no listed tag is the current version.
 * The store checks the version again inside its write.
 */
function ifMatch(
  ctx: ApiContext,
  kind: CrmKind,
  given: string | undefined,
  current: CrmRecord,
): { ifVersion?: number } | Reply {
  const value = ctx.disabled.has('etag') ? undefined : given;
  if (value === undefined) return {};
  const tags = value.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(`"${current.Version}"`)) return { ifVersion: current.Version };
  return problemReply(
    problem(
      412,
      'precondition-failed',
      `${kind === 'customers' ? 'Customer' : 'Contact'} ${current.Id} is at ETag "${current.Version}", not ${value}: read it again and reapply the change`,
    ),
  );
}

export function recordReply(ctx: ApiContext, kind: CrmKind, record: CrmRecord, status: number): Reply {
  const headers: Record<string, string> = {};
  if (!ctx.disabled.has('etag')) headers.etag = `"${record.Version}"`;
  if (status === 201) headers.location = `/v1/${kind}/${record.Id}`;
  return { status, headers, body: render(record, ctx.disabled) };
}

function attempt<T>(write: () => T): T | Reply {
  try {
    return write();
  } catch (err) {
    if (!(err instanceof CrmStoreError)) throw err;
    const status = { 'validation-failed': 422, 'not-found': 404, 'precondition-failed': 412 }[err.code];
    return problemReply(problem(status, err.code, err.message, err.errors));
  }
}

export function header(req: ApiRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
