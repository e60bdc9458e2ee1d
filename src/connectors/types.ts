import type {
  ExternalRef,
  Props,
  PropValue,
  RecordChange,
  RecordType,
  RemoteRecord,
  SystemName,
} from '../core/types.ts';
import type { CallInfo } from '../http/client.ts';
import type { RateLimiter } from '../http/rate-limit.ts';
import type { Logger } from '../log/logger.ts';
import type { Clock } from '../util/clock.ts';

/**
 * What the engine needs from a system. One folder per connector implements it; connectors
 * know nothing of the engine, the store or each other.
 */
export interface Connector {
  readonly system: SystemName;

  /** Cheap call that proves the URL and the credentials work; throws a ConnectorError with the fix. */
  verify(): Promise<ConnectorInfo>;

  /** Every record of a type, page by page (a full read). Each record exactly once. */
  readAll(type: RecordType, opts?: { signal?: AbortSignal }): AsyncIterable<RemoteRecord>;

  /** One record, or null when it does not exist. */
  read(type: RecordType, id: string): Promise<RemoteRecord | null>;

  /**
   * Changes since a watermark (an opaque string the connector made; undefined = start now).
   * Returns the changes and the watermark to store once they are durably processed.
   * `complete: false` means the feed could not be read and the caller must do a full read.
   */
  changesSince(watermark: string | undefined, opts?: { signal?: AbortSignal }): Promise<ChangeBatch>;

  create(type: RecordType, props: Props, opts: CreateOptions): Promise<RemoteRecord>;

  /** Partial update: only the given properties are sent. Returns the record after the write. */
  update(type: RecordType, id: string, patch: Props, opts?: UpdateOptions): Promise<RemoteRecord>;

  delete(type: RecordType, id: string): Promise<void>;

  /**
   * Optional batch create (issue 16): several creates in one request where the system offers it.
   * One result per item, in order: the record, or the error that item alone met. Throws when the
   * request as a whole failed (no item's fate is known). Undefined: no batches here (found out at
   * run time), create one by one.
   */
  createMany?(
    type: RecordType,
    items: ReadonlyArray<{ props: Props; opts: CreateOptions }>,
  ): Promise<Array<RemoteRecord | Error> | undefined>;
  /**
   * Optional batch update (issue 16), shaped as `createMany`: one result per item, each item's
   * `ifMatch` checked on its own (a changed record is that item's STALE error). Undefined: no
   * batch updates for these items (found out at run time, or items that need more than a plain
   * patch), update one by one.
   */
  updateMany?(
    type: RecordType,
    items: ReadonlyArray<{ id: string; patch: Props; opts?: UpdateOptions }>,
  ): Promise<Array<RemoteRecord | Error> | undefined>;
  /** Most items one `createMany` or `updateMany` request takes; 0 or absent when the system has no batch writes. */
  batchSize?(): number;

  /**
   * Looks for a record this product created before a crash: by external reference where the
   * system stores them, else by the natural key of `props` (unique group name, login, e-mail).
   * `taken` says which candidates already belong to another link (they are never the answer).
   */
  findCreated(
    type: RecordType,
    props: Props,
    ref: ExternalRef,
    opts?: { taken?: (id: string) => Promise<boolean> },
  ): Promise<RemoteRecord | null>;
}

/**
 * System extras: a connector offers them or not, and the engine asks with the guards below
 * instead of knowing the connector's class. (Batch creates are the optional `createMany` and
 * `batchSize` above; an event feed that cannot be read answers `complete: false`.)
 */
export interface WebhookSubscriber {
  /** Registers `callbackUrl` for change notifications; throws a ConnectorError when the system refuses. */
  subscribeWebhooks(callbackUrl: string): Promise<void>;
}

export interface TokenIdentity {
  /** The login of the account the token belongs to (never to be locked out), when the system says. */
  tokenUserLogin(): Promise<string | undefined>;
  /**
   * Logins of the system's administrators (never to be locked out either), read again when
   * `refresh`; undefined while the system cannot tell.
   */
  administratorLogins?(opts?: { refresh?: boolean }): Promise<string[] | undefined>;
}

export function subscribesWebhooks(c: Connector): c is Connector & WebhookSubscriber {
  return typeof (c as Partial<WebhookSubscriber>).subscribeWebhooks === 'function';
}

export function knowsTokenUser(c: Connector): c is Connector & TokenIdentity {
  return typeof (c as Partial<TokenIdentity>).tokenUserLogin === 'function';
}

export interface ConnectorInfo {
  system: SystemName;
  /** e.g. "hub" or "2026" for YouTrack, the profile name for Customcrm. */
  mode: string;
  /** Capabilities the connector found missing and the fallback it uses, said once. */
  fallbacks: string[];
}

export interface ChangeBatch {
  changes: RecordChange[];
  watermark: string;
  complete: boolean;
}

export interface CreateOptions {
  /** Same key for every retry of the same logical create. */
  idempotencyKey: string;
  /** Reference to the record on the other side, stored where the system can hold it. */
  externalRef: ExternalRef;
}

export interface UpdateOptions {
  /** Version the caller read; a changed record fails with code STALE instead of being overwritten. */
  ifMatch?: string;
}

export type ConnectorErrorCode =
  | 'WRONG_URL'
  | 'WRONG_TOKEN'
  | 'NO_HUB_SCOPE'
  | 'FORBIDDEN'
  | 'SEAT_LIMIT'
  | 'NOT_FOUND'
  | 'STALE'
  | 'DUPLICATE'
  | 'INVALID_RECORD'
  | 'UNAVAILABLE'
  | 'BAD_RESPONSE'
  | 'UNSUPPORTED';

/**
 * Every failure a connector lets out (HTTP failures are wrapped at the connector's edge, in its
 * `errors.ts`). `message` says what happened and what to do; `record` and `property` point at
 * the data when one record is to blame; `retryable` says that another attempt later may succeed
 * and nothing is wrong with the record (timeouts, 5xx, 429, dropped connections, garbled pages):
 * a write that failed so may or may not have been applied. Never contains a secret.
 */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly info: {
      system: SystemName;
      type?: RecordType;
      record?: string;
      property?: string;
      value?: PropValue;
      status?: number;
      retryable?: boolean;
      cause?: unknown;
    },
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.info.retryable ?? false;
  }
}

/** What a connector is given by whoever builds it (src/app/app.ts); every part has a default. */
export interface ConnectorDeps {
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  onCall?: (info: CallInfo) => void;
  rateLimiter?: RateLimiter;
}
