import type { CrmProfile } from './profile.ts';

export type FallbackKey =
  'etag' | 'idempotencyKeys' | 'externalRefs' | 'webhooks' | 'modifiedSince' | 'serverTime' | 'batch';

/** What Tandem does when the CRM lacks a capability, in the words the logs and reports use. */
export const FALLBACKS: Readonly<Record<FallbackKey, string>> = {
  etag: 'no ETag/If-Match: the record is read again before each update and compared with the version read before (STALE when it changed)',
  idempotencyKeys:
    'no idempotency keys: after an ambiguous create failure the record is looked up (by external reference, else e-mail or name) before creating again',
  externalRefs:
    'no external references: records created by Tandem are found again by e-mail (contacts) or exact name (customers)',
  webhooks: 'no webhooks: changes are found by polling',
  modifiedSince:
    'no modifiedSince filter: every read is a full read, and deletes are found by comparing full reads',
  serverTime: 'no server-time header: the incremental watermark is the local time the read started',
  batch: 'no batch writes: records are created one per request',
};

export function fallbacksOf(profile: CrmProfile): FallbackKey[] {
  const keys: FallbackKey[] = [];
  if (!profile.etag) keys.push('etag');
  if (!profile.idempotencyKeys) keys.push('idempotencyKeys');
  if (!profile.externalRefs) keys.push('externalRefs');
  if (!profile.webhooks) keys.push('webhooks');
  if (!profile.modifiedSince) keys.push('modifiedSince');
  else if (!profile.serverTimeHeader) keys.push('serverTime');
  if (!profile.batch) keys.push('batch');
  return keys;
}
