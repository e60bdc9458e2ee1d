/**
 * Every statement the shared store runs, by name. Each is written once (`statement-text.ts`) and
 * compiled for each database by its dialect (`sqlite/sqlite-dialect.ts`,
 * `postgres/postgres-dialect.ts`); parameters are numbered and mean the same in every dialect. JSON goes in and comes out as
 * text; booleans as TRUE/FALSE literals or 0/1 parameters. Statements on the per-connection tables
 * (links, history, conflicts, quarantine, journal, cycles) that are not by id take the connection
 * as their last parameter, after the ones listed.
 *
 * A list with optional filters has one statement per key that can drive it (`statements.ts` picks
 * one): an optional `(? IS NULL OR col = ?)` on the column an index starts with makes both
 * databases scan every row of the connection. Only filters on columns after the index's key stay
 * optional, and a page bound is written `id < coalesce(?, max)` so that it stays an index range.
 */
export interface Queries {
  /** id */
  getLink: string;
  /** id: locks the row until the transaction ends where the database locks rows */
  getLinkForUpdate: string;
  /**
   * flow, ytId, crmId (may be null), connection: the active link first, then the newest. One query
   * per key, so that each is answered from its index (an optional `(? IS NULL OR col = ?)` on the
   * key itself makes both databases scan every link of the flow).
   */
  findLinkByYt: string;
  /** flow, crmId, connection: as findLinkByYt. */
  findLinkByCrm: string;
  /** flow, ytIds (a JSON array of strings): every status, in id order */
  findLinksByYt: string;
  /** afterId?, limit? */
  listLinks: string;
  /** flow, status?, afterId?, limit? */
  listLinksByFlow: string;
  /** status, afterId?, limit? */
  listLinksByStatus: string;
  /** flow, afterId, limit */
  pageLinks: string;
  /** pattern (lowercase, LIKE-escaped with backslash), limit */
  searchLinks: string;
  /** id, status, base, ytHash, crmHash, crmVersion, label, search, ytId, crmId, now */
  updateLink: string;
  countLinks: string;

  /** at, cycleId, linkId, flow, system, recordId, property, oldValue, newValue, source, action, note */
  /** beforeId?, limit? */
  listHistory: string;
  /** linkId, recordId?, cycleId?, beforeId?, limit?: one record's history (the page a person opens) */
  listHistoryOfLink: string;
  /** recordId, cycleId?, beforeId?, limit?: `tandem history --record` */
  listHistoryOfRecord: string;
  /** cycleId, beforeId?, limit?: what one cycle did */
  listHistoryOfCycle: string;

  /** linkId, flow, property, winnerSide, winnerValue, loserSide, loserValue, at */
  insertConflict: string;
  /** id */
  getConflict: string;
  /** limit? */
  listConflicts: string;
  /** linkId, status?, limit? */
  listConflictsOfLink: string;
  /** status, limit? */
  listConflictsByStatus: string;
  /** id, status, now, by: only while open */
  resolveConflict: string;
  pendingResolutions: string;
  /** id */
  markResolutionApplied: string;
  countConflicts: string;

  /** system, recordType, recordId, flow, code, property, reason, now */
  upsertQuarantine: string;
  /** system, recordType, recordId */
  findQuarantine: string;
  /** system, recordType, recordId */
  releaseQuarantine: string;
  /** limit? */
  listQuarantine: string;
  /** status, limit? */
  listQuarantineByStatus: string;
  /** id */
  requestRetry: string;
  /** (connection only): every quarantined entry */
  requestRetryAll: string;
  countQuarantine: string;

  /** key, flow, op, targetSystem, targetType, sourceSystem, sourceId, payload, now: nothing if the key exists */
  findLinksByCrm: string;
  /** Batch statements: one JSON array parameter (`?1`/`$1`) of rows keyed by column name. */
  insertLinks: string;
  completeWrites: string;
  insertHistories: string;
  /** Every entry of a JSON array (`journalBatchJson`) in one statement; created_at and connection as parameters. */
  insertJournals: string;
  getJournalsByKeys: string;
  /** key */
  /** id, status, targetId, error, now */
  completeWrite: string;
  pendingWrites: string;

  /** name */
  getWatermark: string;
  /** name, value, now */
  setWatermark: string;

  /** connection, kind, now */
  insertCycle: string;
  /** id, status, writes, stats, message, now */
  finishCycle: string;
  /** (connection only): ids of the cycles still 'running', oldest first */
  runningCycles: string;
  /** id, message, now: only while 'running' */
  interruptCycle: string;
  /** limit */
  listCycles: string;
  /** limit */
  writesPerCycle: string;

  /** connection, event id, now: one row when the id is new, none when it was seen (issue 15) */
  claimWebhookEvent: string;
  /** older than: forgets ids past the replay window */
  pruneWebhookEvents: string;

  /** key, code, flow, records, message, now, connection: a case seen again is updated; a done one reopens. */
  upsertReviewItem: string;
  /** id, connection */
  getReviewItem: string;
  /** connection */
  listReviewItems: string;
  /** connection, status */
  listReviewItemsByStatus: string;
  /** id, decision, by, now, connection: only while open */
  decideReviewItem: string;
  /** id, connection */
  closeReviewItem: string;
}
