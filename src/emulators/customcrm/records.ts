import type { CrmKind, ExternalRefValue, FieldError } from './fields.ts';

/** Records as the API shows them with every capability on. */
export interface CrmCommon {
  Id: string;
  CreatedAt: string;
  UpdatedAt: string;
  Version: number;
  ExternalRefs: ExternalRefValue[];
}
export interface CrmCustomer extends CrmCommon {
  Name: string;
  StreetAddress1: string | null;
  StreetAddress2: string | null;
  City: string | null;
  ZipCode: string | null;
  Country: string | null;
  Phone: string | null;
  Email: string | null;
  Website: string | null;
  Fax: string | null;
  Description: string | null;
}
export interface CrmContact extends CrmCommon {
  FirstName: string | null;
  LastName: string | null;
  Email: string | null;
  Phone: string | null;
  Mobile: string | null;
  Title: string | null;
  Username: string | null;
  Active: boolean;
  CustomerId: string | null;
}
export type CrmRecord = CrmCustomer | CrmContact;
export interface CrmTombstone {
  Id: string;
  Deleted: true;
  UpdatedAt: string;
  Version: number;
  ExternalRefs: ExternalRefValue[];
}

export type CrmEventType = `${'customer' | 'contact'}.${'created' | 'updated' | 'deleted'}`;

/** One change, in the order it was committed. */
export interface CrmChange {
  type: CrmEventType;
  kind: CrmKind;
  data: CrmRecord | CrmTombstone;
  occurredAt: number;
}

export type CrmStoreErrorCode = 'validation-failed' | 'not-found' | 'precondition-failed';

/** An expected refusal of a write; the HTTP layer turns it into a problem document. */
export class CrmStoreError extends Error {
  override readonly name = 'CrmStoreError';
  constructor(
    readonly code: CrmStoreErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

const PREFIX: Record<CrmKind, string> = { customers: 'cus', contacts: 'con' };

export function formatId(kind: CrmKind, seq: number): string {
  return `${PREFIX[kind]}_${String(seq).padStart(6, '0')}`;
}

/** The number behind an Id of this kind, or undefined when the text is not one. */
export function parseId(kind: CrmKind, id: string): number | undefined {
  const m = /^([a-z]+)_(\d{1,15})$/.exec(id);
  if (!m || m[1] !== PREFIX[kind]) return undefined;
  return Number(m[2]);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export type CrmCapability = 'etag' | 'idempotency' | 'externalRefs' | 'webhooks' | 'modifiedSince' | 'batch';

/** What a client sees of a record when some capabilities are switched off. */
export function render(
  data: CrmRecord | CrmTombstone,
  disabled: ReadonlySet<CrmCapability>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  if (disabled.has('etag')) delete out.Version;
  if (disabled.has('externalRefs')) delete out.ExternalRefs;
  return out;
}
