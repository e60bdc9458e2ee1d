import type { FlowName, Props, PropValue, RecordType, SystemName } from '../core/types.ts';
import type { ConflictRow, HistoryRow, NewLinkRow, QuarantineRow } from '../core/effects.ts';
import type { LinkOrigin, LinkStatus } from '../core/plan-types.ts';

/**
 * The state store: everything the sync remembers between cycles. One implementation per
 * database (sqlite/, postgres/), one shared test suite. The engine sees only this interface.
 * All methods are async so that a networked database fits behind the same shape.
 */
export interface StateStore {
  /** Creates or upgrades the schema. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Runs `fn` in one transaction: everything it wrote is kept together or not at all. A call
   * made while a transaction of this store is running (on `tx` or on the store itself, from
   * inside `fn`) joins that transaction; calls from elsewhere wait until it has finished.
   */
  transaction<T>(fn: (tx: StateStore) => Promise<T>): Promise<T>;

  /**
   * The connection whose links, history, conflicts, quarantine and journal this store sees
   * (`main` unless opened for another). Calls by id (getLink, updateLink, resolveConflict,
   * completeWrite...) reach any connection: ids are unique across them. Watermarks and cycles
   * are shared and carry the connection in their name or row.
   */
  readonly connection: string;
  /** The same database seen as `connection`; closing either closes both. */
  forConnection(connection: string): StateStore;

  // Links
  getLink(id: number): Promise<Link | null>;
  findLink(query: { flow: FlowName; ytId?: string; crmId?: string }): Promise<Link | null>;
  /** Every link (whatever its status) of any of these YouTrack ids, in id order: one round trip per batch. */
  findLinks(query: { flow: FlowName; ytIds: readonly string[]; crmIds?: readonly string[] }): Promise<Link[]>;
  listLinks(query: {
    flow?: FlowName;
    status?: LinkStatus;
    limit?: number;
    afterId?: number;
  }): Promise<Link[]>;
  /** Streams links of a flow in id order without holding them all. */
  iterateLinks(flow: FlowName): AsyncIterable<Link>;
  /** Case-insensitive substring search in label (name and e-mail), ytId and crmId; ordered by lowercased label. */
  searchLinks(text: string, limit: number): Promise<Link[]>;
  insertLink(link: NewLink): Promise<Link>;
  /** Many links in one round trip, returned in the order given; all or none (LINK_EXISTS). */
  insertLinks(links: readonly NewLink[]): Promise<Link[]>;
  updateLink(id: number, patch: LinkPatch): Promise<void>;
  countLinks(): Promise<Array<{ flow: FlowName; status: LinkStatus; count: number }>>;

  // History: every change applied and every conflict, per property
  addHistory(entries: NewHistoryEntry[]): Promise<void>;
  /** Newest first; `beforeId` pages backwards. */
  listHistory(query: {
    linkId?: number;
    recordId?: string;
    cycleId?: number;
    limit?: number;
    beforeId?: number;
  }): Promise<HistoryEntry[]>;

  // Conflicts
  addConflict(conflict: NewConflict): Promise<Conflict>;
  listConflicts(query: { status?: ConflictStatus; linkId?: number; limit?: number }): Promise<Conflict[]>;
  /**
   * Records a person's choice; both choices become pending until a cycle carries them out
   * (`apply-loser` writes the losing value, `keep-winner` only records the decision).
   * Throws StoreError `NOT_FOUND` or `CONFLICT_NOT_OPEN`.
   */
  resolveConflict(id: number, resolution: 'keep-winner' | 'apply-loser', by: string): Promise<void>;
  /** Resolutions chosen by a person and not yet carried out by a cycle, oldest first. */
  pendingResolutions(): Promise<Conflict[]>;
  markResolutionApplied(id: number): Promise<void>;
  countConflicts(): Promise<{ open: number; pending: number }>;

  // Quarantine: records rejected with a reason, retried on later cycles
  /**
   * Quarantines a record or, when it already is, counts one more attempt (`attempts`,
   * `lastSeen`, new reason) and clears a retry request. A released record starts over.
   */
  quarantine(entry: NewQuarantineEntry): Promise<void>;
  findQuarantine(query: {
    system: SystemName;
    recordType: RecordType;
    recordId: string;
  }): Promise<QuarantineEntry | null>;
  releaseQuarantine(query: { system: SystemName; recordType: RecordType; recordId: string }): Promise<void>;
  listQuarantine(query: { status?: QuarantineStatus; limit?: number }): Promise<QuarantineEntry[]>;
  /** Operator asked for a retry: the entry is retried on the next cycle even before its backoff expires. */
  requestRetry(id: number | 'all'): Promise<number>;
  countQuarantine(): Promise<{ quarantined: number; retryRequested: number }>;

  // Journal of writes in flight (crash-safe creates)
  /** Idempotent on `key`: a second call returns the entry already recorded, whatever its status. */
  beginWrite(entry: NewJournalEntry): Promise<JournalEntry>;
  /** `beginWrite` for many in one round trip; the entries come back in the order given. */
  beginWrites(entries: readonly NewJournalEntry[]): Promise<JournalEntry[]>;
  completeWrite(
    id: number,
    result: { targetId?: string; status: 'done' | 'failed'; error?: string },
  ): Promise<void>;
  /** `completeWrite` for many in one round trip. */
  completeWrites(
    results: ReadonlyArray<{ id: number; targetId?: string; status: 'done' | 'failed'; error?: string }>,
  ): Promise<void>;
  pendingWrites(): Promise<JournalEntry[]>;

  // Watermarks / cursors: advanced only after the data behind them is durably processed
  getWatermark(name: string): Promise<string | undefined>;
  setWatermark(name: string, value: string): Promise<void>;

  // Cycles
  startCycle(info: { connection: string; kind: 'full' | 'incremental' | 'plan' }): Promise<number>;
  finishCycle(id: number, result: CycleResult): Promise<void>;
  /**
   * Closes as 'interrupted' every cycle of this connection still 'running' but the newest, and
   * returns their ids. Call it from the cycle that has just started (the newest), under the
   * connection's lock: any older cycle still 'running' belonged to a process that died.
   */
  interruptStaleCycles(): Promise<number[]>;
  /** Newest first. */
  listCycles(query: { limit: number }): Promise<CycleRecord[]>;
  /** The newest cycle of every connection that has run one, ordered by connection name. */
  lastCycles(): Promise<CycleRecord[]>;
  /** The last `limit` finished cycles, oldest first: the dashboard's writes chart. */
  writesPerCycle(limit: number): Promise<Array<{ cycleId: number; startedAt: string; writes: number }>>;

  // Webhook replay cache (issue 15)
  /**
   * Records a webhook event id of this connection; false when it was recorded before (a replay).
   * Atomic, so two workers taking the same delivery accept it once. Ids older than a day are forgotten.
   */
  claimWebhookEvent(eventId: string): Promise<boolean>;
  // Review items (issue 14): doubtful cases a person decides
  upsertReviewItem(item: NewReviewItem): Promise<void>;
  listReviewItems(query: { status?: ReviewStatus }): Promise<ReviewItem[]>;
  getReviewItem(id: number): Promise<ReviewItem | null>;
  /** Records a person's decision on an open item; refuses one that is not open. */
  decideReviewItem(id: number, decision: ReviewDecision, by: string): Promise<void>;
  /** The decision was carried out (or the case is over). */
  closeReviewItem(id: number): Promise<void>;
}

import type { NewReviewItem, ReviewDecision, ReviewItem, ReviewStatus } from './review-types.ts';
export type {
  NewReviewItem,
  ReviewAction,
  ReviewDecision,
  ReviewItem,
  ReviewStatus,
} from './review-types.ts';

export type { LinkOrigin, LinkStatus };

/**
 * A pair of records kept in sync. `base` is the last synchronized value of every mapped property,
 * under the mapping's row names: the base of the three-way merge; `label` is the display name for
 * search and the dashboard.
 */
export interface Link extends Omit<NewLinkRow, 'status'> {
  id: number;
  status: LinkStatus;
  createdAt: string;
  updatedAt: string;
}

export type NewLink = Omit<Link, 'id' | 'createdAt' | 'updatedAt'>;
export type LinkPatch = Partial<
  Pick<Link, 'status' | 'base' | 'ytHash' | 'crmHash' | 'crmVersion' | 'label' | 'ytId' | 'crmId'>
>;

export type HistoryAction =
  'created' | 'updated' | 'linked' | 'conflict' | 'deleted' | 'resolved' | 'skipped';

/**
 * One change the sync made or saw. `system` is the system that was written (or where the record
 * lives, for a conflict); `source` is where the change came from: a side, or an operator's decision.
 */
export interface HistoryEntry extends Omit<HistoryRow, 'link' | 'action'> {
  id: number;
  linkId: number | null;
  action: HistoryAction;
}
export type NewHistoryEntry = Omit<HistoryEntry, 'id'>;

export type ConflictStatus = 'open' | 'kept' | 'applied-loser';

export interface Conflict extends Omit<ConflictRow, 'link'> {
  id: number;
  linkId: number;
  status: ConflictStatus;
  pending: boolean;
  resolvedAt: string | null;
  resolvedBy: string | null;
}
export type NewConflict = Omit<Conflict, 'id' | 'status' | 'pending' | 'resolvedAt' | 'resolvedBy'>;

export type QuarantineStatus = 'quarantined' | 'released';

export interface QuarantineEntry extends QuarantineRow {
  id: number;
  attempts: number;
  firstSeen: string;
  lastSeen: string;
  retryRequested: boolean;
  status: QuarantineStatus;
}
export type NewQuarantineEntry = QuarantineRow;

export interface JournalEntry {
  id: number;
  /** Idempotency key sent with the create; the same on every retry. */
  key: string;
  flow: FlowName;
  op: 'create';
  targetSystem: SystemName;
  targetType: RecordType;
  sourceSystem: SystemName;
  sourceId: string;
  payload: Props;
  status: 'pending' | 'done' | 'failed';
  targetId: string | null;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}
export type NewJournalEntry = Pick<
  JournalEntry,
  'key' | 'flow' | 'op' | 'targetSystem' | 'targetType' | 'sourceSystem' | 'sourceId' | 'payload'
>;

export interface FlowSystemCounts {
  read: number;
  created: number;
  updated: number;
  deleted: number;
  conflicts: number;
  errors: number;
}
export interface CycleResult {
  status: 'ok' | 'failed' | 'stopped';
  writes: number;
  stats: Partial<Record<FlowName, Partial<Record<SystemName, FlowSystemCounts>>>>;
  message?: string;
}
export interface CycleRecord extends Omit<CycleResult, 'status'> {
  /**
   * 'running' until finishCycle. A cycle whose process died stays 'running' until the next cycle
   * of its connection starts, which closes it as 'interrupted' (see interruptStaleCycles).
   */
  status: CycleResult['status'] | 'running' | 'interrupted';
  id: number;
  connection: string;
  kind: string;
  startedAt: string;
  finishedAt: string | null;
}

export type { PropValue };
