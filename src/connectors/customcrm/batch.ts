import type { CustomcrmType, Props, RemoteRecord } from '../../core/types.ts';
import type { HttpClient } from '../../http/client.ts';
import { HttpError, codeForStatus } from '../../http/errors.ts';
import type { CreateOptions, UpdateOptions } from '../types.ts';
import { ConnectorError } from '../types.ts';
import { toConnectorError } from './errors.ts';
import { createBody } from './create-body.ts';
import { fromWire, isTombstone, toWire } from './mapping.ts';
import type { CrmProfile } from './profile.ts';

/** Statuses that say "no batch endpoint here": the connector then writes one by one. */
export const NO_BATCH: ReadonlySet<number> = new Set([404, 405, 501]);

export interface BatchDeps {
  http: HttpClient;
  profile: CrmProfile;
  /** The type's collection path (profile.paths). */
  path: string;
}

interface ItemResult {
  status?: unknown;
  etag?: unknown;
  record?: unknown;
  problem?: unknown;
}

/**
 * Batch create (`POST {path}/batch/create`, docs/customcrm-contract.md): one request for up to
 * `profile.batch.maxItems` creates, an idempotency key and external reference per item, one
 * result per item. With idempotency keys the request is safe to repeat (each item replays its
 * first answer); without them an ambiguous failure is not retried here, and the caller's
 * journal finds the records by their external references. Returns undefined when the CRM has
 * no batch endpoint after all (404, 405 or 501).
 */
export async function createBatch(
  deps: BatchDeps,
  type: CustomcrmType,
  items: ReadonlyArray<{ props: Props; opts: CreateOptions }>,
): Promise<Array<RemoteRecord | Error> | undefined> {
  const { profile } = deps;
  if (!profile.batch) return undefined;
  const body = {
    items: items.map(({ props, opts }) => {
      const record = createBody(profile, type, props, opts);
      return { ...(profile.idempotencyKeys ? { idempotencyKey: opts.idempotencyKey } : {}), record };
    }),
  };
  return sendBatch(deps, type, 'create', {
    path: profile.batch.createPath,
    body,
    idempotent: profile.idempotencyKeys,
  });
}

/**
 * Batch update (`POST {path}/batch/update`): a patch per item, with the version read as the
 * item's `ifMatch` (the `If-Match` a single PATCH would send). Not repeated after an ambiguous
 * failure: an item already applied would meet its own version bump; the next cycle sees it done.
 */
export async function updateBatch(
  deps: BatchDeps,
  type: CustomcrmType,
  items: ReadonlyArray<{ id: string; patch: Props; opts?: UpdateOptions }>,
): Promise<Array<RemoteRecord | Error> | undefined> {
  const { profile } = deps;
  if (!profile.batch) return undefined;
  const body = {
    items: items.map(({ id, patch, opts }) => ({
      id,
      patch: toWire(profile, patch, type),
      ...(opts?.ifMatch !== undefined && profile.etag ? { ifMatch: `"${opts.ifMatch}"` } : {}),
    })),
  };
  return sendBatch(deps, type, 'update', { path: profile.batch.updatePath, body, idempotent: false });
}

async function sendBatch(
  deps: BatchDeps,
  type: CustomcrmType,
  op: 'create' | 'update',
  req: { path: string; body: { items: unknown[] }; idempotent: boolean },
): Promise<Array<RemoteRecord | Error> | undefined> {
  const n = req.body.items.length;
  let res;
  try {
    res = await deps.http.request<{ results?: ItemResult[] }>({
      method: 'POST',
      path: deps.path + req.path,
      body: req.body,
      idempotent: req.idempotent,
    });
  } catch (err) {
    if (err instanceof HttpError && err.status !== undefined && NO_BATCH.has(err.status)) return undefined;
    throw toConnectorError(err, deps.profile, { type, action: `batch ${op}` });
  }
  const results = res.body?.results;
  if (!Array.isArray(results) || results.length !== n)
    throw new ConnectorError(
      'BAD_RESPONSE',
      `customcrm: batch ${op} of ${n} ${type} records answered HTTP ${res.status} without one result per item; ` +
        'set profile.batch to false if this CRM has no batch writes.',
      { system: 'customcrm', type, status: res.status },
    );
  return results.map((r, i) => itemResult(deps, type, op, r, i));
}

function itemResult(
  deps: BatchDeps,
  type: CustomcrmType,
  op: 'create' | 'update',
  r: ItemResult,
  i: number,
): RemoteRecord | Error {
  const status = typeof r?.status === 'number' ? r.status : 0;
  const record = r?.record;
  if (status >= 200 && status < 300 && record && typeof record === 'object' && !Array.isArray(record)) {
    const etag = deps.profile.etag && typeof r.etag === 'string' ? r.etag : null;
    const rec = fromWire(deps.profile, type, record as Record<string, unknown>, etag);
    if (!isTombstone(rec)) return rec;
  }
  // The item's own failure, shaped as its single request's would be, so it is handled the same.
  const err = new HttpError(
    status >= 400 ? codeForStatus(status) : 'BAD_RESPONSE',
    `customcrm: batch ${op} item ${i} (${type}) answered ${status || 'no status'}`,
    { system: 'customcrm', method: 'POST', url: deps.path, status, body: r?.problem ?? r },
  );
  return toConnectorError(err, deps.profile, { type, action: op }) as Error;
}
