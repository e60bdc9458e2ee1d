import { NO_BATCH as ABSENT } from './batch.ts';
import { createBody } from './create-body.ts';
import type { CrmProfile } from './profile.ts';
import { evidence, type CheckStatus, type Probe } from './probe.ts';

export interface BatchCheck {
  probe: Probe;
  profile: CrmProfile;
  write: boolean;
  marker: string;
  set: (capability: string, status: CheckStatus, evidence: string) => void;
  /** Remembers a record the check made, for the cleanup. */
  keep: (id: string | undefined) => void;
  idOf: (r: Record<string, unknown> | undefined) => string | undefined;
}

/**
 * Batch create (issue 16): with --write, a batch of one record must answer 200 with one result
 * holding the record; read-only, an empty batch must be refused with 400 (the endpoint exists)
 * rather than 404/405 (it does not).
 */
export async function checkBatch(c: BatchCheck): Promise<void> {
  const name = 'batch writes';
  if (!c.profile.batch) return c.set(name, 'missing', 'profile.batch is false');
  const path = c.profile.paths.customers + c.profile.batch.createPath;
  if (!c.write) {
    const res = await c.probe.request('POST', path, { body: { items: [] } });
    if (ABSENT.has(res.status)) return c.set(name, 'missing', `${path}: ${evidence(res)}`);
    if (res.status === 400)
      return c.set(name, 'passed', `${path} refuses an empty batch as the contract says: ${evidence(res)}`);
    return c.set(name, 'wrong', `${path} answered an empty batch with ${evidence(res)}; expected 400`);
  }
  // The body the connector itself would send (create fields, per-type names, external references).
  const record = createBody(
    c.profile,
    'Customer',
    { Name: `${c.marker}-batch`, Description: 'created by tandem check' },
    {
      idempotencyKey: `${c.marker}-batch`,
      externalRef: { System: 'tandem-check', Type: 'Customer', Id: `${c.marker}-batch` },
    },
  );
  const res = await c.probe.request('POST', path, {
    body: { items: [{ idempotencyKey: `${c.marker}-batch`, record }] },
  });
  if (ABSENT.has(res.status)) return c.set(name, 'missing', `${path}: ${evidence(res)}`);
  const result = (res.body as { results?: Array<{ status?: number; record?: Record<string, unknown> }> })
    ?.results?.[0];
  const id = c.idOf(result?.record);
  c.keep(id);
  if (res.status !== 200 || !id || result?.status !== 201)
    return c.set(
      name,
      'wrong',
      `${evidence(res)} – expected 200 {"results": [{"status": 201, "record": {...}}]}`,
    );
  c.set(name, 'passed', `one result per item: ${evidence(res)}`);
}
