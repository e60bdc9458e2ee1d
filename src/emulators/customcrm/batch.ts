import type { CrmKind } from './fields.ts';
import { parseObject, problem, problemReply, type Reply } from './http.ts';
import { createOne, writeOne, type ApiContext, type ApiRequest } from './writes.ts';

/** Items one batch request may hold. */
export const MAX_BATCH_ITEMS = 100;

export interface BatchResult {
  status: number;
  etag?: string;
  replayed?: true;
  /** The record as a single create or update answers it. */
  record?: unknown;
  /** problem+json of a refused item. */
  problem?: unknown;
}

/**
 * `POST /v1/{kind}/batch/create` and `/batch/update`: up to 100 items, each handled exactly as
 * its single request would be (same idempotency keys, validation, If-Match and events) and
 * committed on its own. The answer is 200 with one result per item, in item order; only a
 * malformed batch as a whole is refused (400).
 */
export async function batch(
  ctx: ApiContext,
  kind: CrmKind,
  op: 'create' | 'update',
  req: ApiRequest,
): Promise<Reply> {
  const body = parseObject(await req.body());
  if (typeof body === 'string') return problemReply(problem(400, 'malformed-json', body));
  const items = body['items'];
  if (!Array.isArray(items) || items.length < 1 || items.length > MAX_BATCH_ITEMS)
    return problemReply(
      problem(
        400,
        'malformed-json',
        `the body must be {"items": [...]} with 1 to ${MAX_BATCH_ITEMS} items; send larger sets in several batches`,
      ),
    );
  const results = items.map((item: unknown, i): BatchResult => {
    const bad = (detail: string) =>
      asResult(problemReply(problem(400, 'malformed-json', `items[${i}]: ${detail}`)));
    if (!item || typeof item !== 'object' || Array.isArray(item)) return bad('an item must be a JSON object');
    const it = item as Record<string, unknown>;
    const key = it['idempotencyKey'];
    if (key !== undefined && typeof key !== 'string') return bad('idempotencyKey must be a string');
    if (op === 'create') {
      const record = it['record'];
      if (!record || typeof record !== 'object' || Array.isArray(record))
        return bad('record must be a JSON object with the properties to write');
      const useKey = ctx.disabled.has('idempotency') ? undefined : key;
      return asResult(createOne(ctx, kind, record as Record<string, unknown>, useKey));
    }
    const id = it['id'];
    const patch = it['patch'];
    const ifMatch = it['ifMatch'];
    if (typeof id !== 'string' || id === '') return bad('id must be the Id of the record to update');
    if (!patch || typeof patch !== 'object' || Array.isArray(patch))
      return bad('patch must be a JSON object with the properties to change');
    if (ifMatch !== undefined && typeof ifMatch !== 'string') return bad('ifMatch must be an ETag string');
    return asResult(writeOne(ctx, kind, id, patch as Record<string, unknown>, ifMatch));
  });
  return { status: 200, body: { results } };
}

function asResult(reply: Reply): BatchResult {
  const body = reply.raw !== undefined ? (JSON.parse(reply.raw) as unknown) : reply.body;
  if (reply.status >= 400) return { status: reply.status, problem: body };
  return {
    status: reply.status,
    ...(reply.headers?.etag ? { etag: reply.headers.etag } : {}),
    ...(reply.headers?.['idempotent-replayed'] ? { replayed: true as const } : {}),
    record: body,
  };
}
