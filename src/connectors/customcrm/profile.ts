import { z } from 'zod';
import { deepMerge, PRESET_NAMES, PRESETS } from './presets.ts';
import type { PresetName } from './presets.ts';

/**
 * How one CRM's API differs from the Customcrm contract: paths, names, paging, timestamps, auth
 * and which capabilities it has. Data, not code: validated when loaded, with errors that point at
 * the offending path.
 */
const timestampFormat = z.enum(['iso', 'epoch-ms', 'epoch-s']);
export type TimestampFormat = z.infer<typeof timestampFormat>;

const name = z.string().min(1);

/**
 * Every field defaults to the contract's value, so `{}` is the contract profile; `false` says the
 * CRM lacks the capability. A parsed profile parses to itself (configs are validated twice).
 */
function orFalse<T extends z.ZodType>(schema: T, contractDefault: z.input<T>) {
  return z.union([schema, z.literal(false)]).default(contractDefault as never);
}

const pagingSchema = z.discriminatedUnion('style', [
  z.strictObject({
    style: z.literal('cursor'),
    cursorParam: name.default('cursor'),
    limitParam: name.default('limit'),
    /** Dotted path of the next cursor in the response body; null/absent/empty ends the list. */
    nextCursorPath: name.default('nextCursor'),
  }),
  z.strictObject({
    style: z.literal('page'),
    /** 1-based page number. */
    pageParam: name.default('page'),
    sizeParam: name.default('per_page'),
    /** Response header with the total number of records (e.g. X-Total-Count); false when none. */
    totalCountHeader: orFalse(name, false as never),
    /** Dotted path of the total in a list envelope (e.g. "total"); false when none. */
    totalPath: orFalse(name, false as never),
  }),
  z.strictObject({
    style: z.literal('offset'),
    offsetParam: name.default('offset'),
    limitParam: name.default('limit'),
    totalCountHeader: orFalse(name, false as never),
    totalPath: orFalse(name, false as never),
  }),
  z.strictObject({
    /** RFC 8288 Link header: the first page gets `limitParam`, then rel="next" is followed. */
    style: z.literal('link'),
    limitParam: name.default('limit'),
  }),
]);
export type PagingProfile = z.infer<typeof pagingSchema>;

const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer') }),
  z.strictObject({ type: z.literal('header'), name: name }),
  z.strictObject({ type: z.literal('basic') }),
  /** No credentials (a CRM on a private network or behind a proxy that authenticates). */
  z.strictObject({ type: z.literal('none') }),
]);

const valueType = z.enum(['string', 'integer']);
export type ValueType = z.infer<typeof valueType>;

/**
 * A map that is either shared by both types or given per type (`{ Customer: ..., Contact: ... }`).
 * Parsed to the per-type form, so code reads one shape.
 */
function perType<T extends z.ZodType>(value: T) {
  const map = z.record(z.string(), value);
  return z
    .union([
      z.strictObject({ Customer: map.default({}), Contact: map.default({}) }),
      map.refine((m) => !('Customer' in m) && !('Contact' in m), {
        message: 'give both Customer and Contact, or neither (one map for both types)',
      }),
    ])
    .transform((m) =>
      'Customer' in m && typeof m.Customer === 'object' && 'Contact' in m && typeof m.Contact === 'object'
        ? (m as { Customer: Record<string, z.output<T>>; Contact: Record<string, z.output<T>> })
        : {
            Customer: m as Record<string, z.output<T>>,
            Contact: m as Record<string, z.output<T>>,
          },
    )
    .default({ Customer: {}, Contact: {} } as never);
}

const call = (placeholder: string) =>
  z
    .string()
    .regex(/^(PUT|POST|PATCH|DELETE) \/\S*$/, { message: 'must be "METHOD /path", e.g. "PUT /things/{id}"' })
    .refine((t) => t.includes(placeholder), { message: `must contain ${placeholder}` });
const associationSchema = z.strictObject({ set: call('{value}'), unset: call('{old}').optional() });

const recordPath = z
  .string()
  .min(1)
  .refine((t) => t.includes('{id}'), {
    message: 'must contain {id}, e.g. "{path}/{id}" or "{path}?id=eq.{id}"',
  });

const profileObject = z.strictObject({
  name: name.default('contract'),
  /** A shipped profile this one starts from (src/connectors/customcrm/presets.ts); keys given here win. */
  preset: z.enum(PRESET_NAMES).optional(),
  /** Optional base URL; the configuration's `url` wins when both are set. */
  baseUrl: z.url().optional(),
  paths: z
    .object({
      customers: name.default('/customers'),
      contacts: name.default('/contacts'),
      webhooks: name.default('/webhooks'),
    })
    .prefault({}),
  /**
   * Contract name → wire name, for every property whose wire name differs: one map for both
   * types, or `{ Customer: {...}, Contact: {...} }`.
   */
  properties: perType(name),
  idProperty: name.default('Id'),
  /** The type of ids on the wire; references to them (Contact.CustomerId) are written in it. */
  idType: valueType.default('string'),
  /** Wire type per contract property where it is not text (e.g. `{ CustomerId: integer }`). */
  propertyTypes: perType(valueType),
  /** Where one record lives: `{path}` is the collection path, `{id}` the record id. */
  recordPath: recordPath.default('{path}/{id}'),
  /** How an update is sent: PATCH with the changed properties, PUT with the whole record, or POST. */
  updateMethod: z.enum(['PATCH', 'PUT', 'POST']).default('PATCH'),
  /** Fixed query parameters of every list request (e.g. a stable sort order), shared or per type. */
  listQuery: perType(z.union([z.string(), z.number()]).transform(String)),
  /** Fixed query parameters of every single-record read (e.g. which properties to return). */
  readQuery: perType(z.union([z.string(), z.number()]).transform(String)),
  /** Fixed fields of every create body (e.g. HubSpot's required `associations: []`), per type. */
  createFields: z
    .strictObject({
      Customer: z.record(z.string(), z.unknown()).default({}),
      Contact: z.record(z.string(), z.unknown()).default({}),
    })
    .prefault({}),
  /**
   * Every value is sent as text (numbers and booleans as their text, an empty value as ''), for
   * APIs whose properties are all strings (HubSpot).
   */
  stringValues: z.boolean().default(false),
  /**
   * References kept as associations with their own endpoints (HubSpot: a contact's company), per
   * type and contract property: `set` and optional `unset` calls, "METHOD /path" with {id},
   * {value} (the new reference) and {old} (the previous one). Such a property is never sent in
   * a create or update body.
   */
  associations: z
    .strictObject({
      Customer: z.record(z.string(), associationSchema).default({}),
      Contact: z.record(z.string(), associationSchema).default({}),
    })
    .prefault({}),
  /** Contract properties read but never sent (e.g. a company the API keeps as an association). */
  readOnly: z
    .strictObject({ Customer: z.array(name).default([]), Contact: z.array(name).default([]) })
    .prefault({}),
  /**
   * A property of the CRM's own where Tandem stores the YouTrack id of the records it creates
   * (e.g. youtrack_id): how it finds them after a crash or a lost store. false when none.
   */
  referenceProperty: orFalse(name, false as never),
  /**
   * The natural key (contract name) recovery looks up by when neither a reference property nor
   * external references find a record: it must match exactly one record.
   */
  naturalKey: z.strictObject({ Customer: name.default('Name'), Contact: name.default('Email') }).prefault({}),
  paging: pagingSchema.prefault({ style: 'cursor' }),
  /** Dotted path of the item list in a list response; '' means the body is the bare array. */
  listPath: z.string().default('data'),
  timestamps: timestampFormat.default('iso'),
  auth: authSchema.prefault({ type: 'bearer' }),
  /** Incremental reads; false when the CRM cannot filter by modification time. */
  modifiedSince: orFalse(
    z.strictObject({
      param: name,
      format: timestampFormat.default('iso'),
      /** Parameter that makes the list include tombstones of deleted records; false when none. */
      includeDeletedParam: orFalse(name, 'includeDeleted'),
    }),
    { param: 'modifiedSince', format: 'iso', includeDeletedParam: 'includeDeleted' },
  ),
  /** Response header holding the time the server started the read (the next watermark). */
  serverTimeHeader: orFalse(name, 'X-Server-Time'),
  /** Query parameters for lookups; false means the connector scans the full list. */
  filters: z
    .object({
      email: orFalse(name, 'email'),
      externalRef: orFalse(name, 'externalRef'),
      /** Filter by the reference property; true means the property's own name. */
      reference: z.union([name, z.boolean()]).default(true),
    })
    .prefault({}),
  etag: z.boolean().default(true),
  idempotencyKeys: z.boolean().default(true),
  /** Wire name of the external-references property, or false when the CRM has none. */
  externalRefs: orFalse(name, 'ExternalRefs'),
  webhooks: z.boolean().default(true),
  /**
   * Batch writes (issue 16): paths under the type's path and the most items a request takes;
   * false when the CRM has none (creates go one per request). A CRM that answers 404/405/501
   * to a batch also gets single writes.
   */
  batch: orFalse(
    z.strictObject({
      createPath: name.default('/batch/create'),
      updatePath: name.default('/batch/update'),
      maxItems: z.number().int().min(2).max(1000).default(100),
    }),
    { createPath: '/batch/create', updatePath: '/batch/update', maxItems: 100 },
  ),
});

/** The profile with its preset (if any) underneath: what a user gives overrides the preset. */
export const crmProfileSchema = z.preprocess((input) => {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const preset = (input as { preset?: unknown }).preset;
  return typeof preset === 'string' && preset in PRESETS
    ? deepMerge(PRESETS[preset as PresetName], input as Record<string, unknown>)
    : input;
}, profileObject);

export type CrmProfile = z.output<typeof profileObject>;

/** The Customcrm contract v1 itself: the default profile. */
export const contractProfile: CrmProfile = crmProfileSchema.parse({});

export interface ProfileIssue {
  path: string;
  message: string;
}

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  readonly code = 'INVALID_PROFILE';
  constructor(readonly issues: ProfileIssue[]) {
    super(
      'The Customcrm profile is not valid: ' +
        issues.map((i) => `profile.${i.path}: ${i.message}`).join('; ') +
        '. Fix these entries of the profile (see docs/customcrm-connector.md).',
    );
  }
}

/** Validates a profile (parsed YAML/JSON); every problem is reported with its path. */
export function loadProfile(input: unknown): CrmProfile {
  const parsed = crmProfileSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new ProfileError(
    parsed.error.issues.map((i) => ({
      path: i.path.length ? i.path.map(String).join('.') : '(profile)',
      message: i.message,
    })),
  );
}
