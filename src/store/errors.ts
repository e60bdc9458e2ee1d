/**
 * Expected failures of the state store carry a stable `code`; the message names the record
 * and what to do. A database that cannot be reached, or that stays locked past the wait, is
 * turned into one too (`STORE_UNAVAILABLE`, `STORE_BUSY`) by its driver, so that callers tell
 * store failures apart by class and kind, never by the database's own error names. Anything
 * else a database throws is a bug and is passed on.
 */
export type StoreErrorCode =
  | 'STORE_URL_INVALID'
  | 'STORE_OPEN_FAILED'
  | 'STORE_LOCKED'
  | 'STORE_BUSY'
  | 'STORE_UNAVAILABLE'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'STORE_MIGRATION_FAILED'
  | 'NOT_FOUND'
  | 'LINK_EXISTS'
  | 'CONFLICT_NOT_OPEN'
  | 'REVIEW_NOT_OPEN'
  | 'INVALID_ARGUMENT'
  | 'INVALID_VALUE';

/**
 * What a caller may do about it: `busy` (another process holds the store or its lock: wait, or
 * stop it), `unavailable` (the database cannot be reached: check it, try again later),
 * `conflict` (the row changed or exists already: reload), `not-found`, `invalid` (the input or
 * the configuration is wrong), `schema` (the database's schema cannot be used by this Tandem).
 */
export type StoreErrorKind = 'busy' | 'unavailable' | 'conflict' | 'not-found' | 'invalid' | 'schema';

const KINDS: Record<StoreErrorCode, StoreErrorKind> = {
  STORE_URL_INVALID: 'invalid',
  STORE_OPEN_FAILED: 'unavailable',
  STORE_LOCKED: 'busy',
  STORE_BUSY: 'busy',
  STORE_UNAVAILABLE: 'unavailable',
  STORE_SCHEMA_TOO_NEW: 'schema',
  STORE_MIGRATION_FAILED: 'schema',
  NOT_FOUND: 'not-found',
  LINK_EXISTS: 'conflict',
  CONFLICT_NOT_OPEN: 'conflict',
  REVIEW_NOT_OPEN: 'conflict',
  INVALID_ARGUMENT: 'invalid',
  INVALID_VALUE: 'invalid',
};

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly kind: StoreErrorKind;
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.kind = KINDS[code];
  }
}
