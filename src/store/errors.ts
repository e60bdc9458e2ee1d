/**
 * Expected failures of the state store carry a stable `code`; the message names the record
 * and what to do. Anything else a database throws is a bug or an outage and is passed on.
 */
export type StoreErrorCode =
  | 'STORE_URL_INVALID'
  | 'STORE_OPEN_FAILED'
  | 'STORE_LOCKED'
  | 'STORE_SCHEMA_TOO_NEW'
  | 'STORE_MIGRATION_FAILED'
  | 'NOT_FOUND'
  | 'LINK_EXISTS'
  | 'CONFLICT_NOT_OPEN'
  | 'REVIEW_NOT_OPEN'
  | 'INVALID_ARGUMENT'
  | 'INVALID_VALUE';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
