import { z } from 'zod';

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
  }),
  z.strictObject({
    style: z.literal('offset'),
    offsetParam: name.default('offset'),
    limitParam: name.default('limit'),
  }),
]);
export type PagingProfile = z.infer<typeof pagingSchema>;

const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer') }),
  z.strictObject({ type: z.literal('header'), name: name }),
  z.strictObject({ type: z.literal('basic') }),
]);

export const crmProfileSchema = z.strictObject({
  name: name.default('contract'),
  /** Optional base URL; the configuration's `url` wins when both are set. */
  baseUrl: z.url().optional(),
  paths: z
    .object({
      customers: name.default('/customers'),
      contacts: name.default('/contacts'),
      webhooks: name.default('/webhooks'),
    })
    .prefault({}),
  /** Contract name → wire name, for every property whose wire name differs. */
  properties: z.record(z.string(), name).default({}),
  idProperty: name.default('Id'),
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
    .object({ email: orFalse(name, 'email'), externalRef: orFalse(name, 'externalRef') })
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
      maxItems: z.number().int().min(2).max(1000).default(100),
    }),
    { createPath: '/batch/create', maxItems: 100 },
  ),
});

export type CrmProfile = z.output<typeof crmProfileSchema>;

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
