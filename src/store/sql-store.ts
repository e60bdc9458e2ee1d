import type { Clock } from '../util/clock.ts';
import { CycleTable } from './cycles.ts';
import { HistoryTable } from './history.ts';
import { JournalTable } from './journal.ts';
import { LinkTable } from './links.ts';
import { QuarantineTable } from './quarantine.ts';
import { ReviewTable } from './review-items.ts';
import { SqlContext, type SqlBackend } from './sql-context.ts';
import type { StateStore } from './types.ts';

export { LINK_PAGE_SIZE } from './links.ts';
export type { SqlBackend } from './sql-context.ts';

/** The scope of a store opened without one: the name a configuration's only connection gets by default. */
export const DEFAULT_CONNECTION = 'main';

type Method<K extends keyof StateStore> = StateStore[K];

/**
 * The one StateStore implementation, over any database that supplies a driver, its SQL text
 * and its migrations. Each table's part lives in its own file over one `SqlContext`; this class
 * only puts them together. Calls made inside `transaction` join it through the driver, so `tx`
 * is this same object.
 */
export class SqlStateStore implements StateStore {
  private readonly db: SqlContext;
  private readonly links: LinkTable;
  private readonly history: HistoryTable;
  private readonly reviews: ReviewTable;
  private readonly quarantined: QuarantineTable;
  private readonly journal: JournalTable;
  private readonly cycles: CycleTable;

  constructor(
    private readonly backend: SqlBackend,
    private readonly clock: Clock,
    readonly connection: string = DEFAULT_CONNECTION,
  ) {
    this.db = new SqlContext(backend, clock, connection);
    this.links = new LinkTable(this.db);
    this.history = new HistoryTable(this.db);
    this.reviews = new ReviewTable(this.db);
    this.quarantined = new QuarantineTable(this.db);
    this.journal = new JournalTable(this.db);
    this.cycles = new CycleTable(this.db);
  }

  /** Shares this store's database, connections and transactions; only the scope differs. */
  forConnection(connection: string): StateStore {
    if (connection === this.connection) return this;
    return new SqlStateStore(this.backend, this.clock, connection);
  }

  migrate(): Promise<void> {
    return this.backend.driver.migrate(this.backend.migrations);
  }

  close(): Promise<void> {
    return this.backend.driver.close();
  }

  transaction<T>(fn: (tx: StateStore) => Promise<T>): Promise<T> {
    return this.backend.driver.transaction(() => fn(this));
  }

  readonly getLink: Method<'getLink'> = (id) => this.links.getLink(id);
  readonly findLink: Method<'findLink'> = (query) => this.links.findLink(query);
  readonly findLinks: Method<'findLinks'> = (query) => this.links.findLinks(query);
  readonly listLinks: Method<'listLinks'> = (query) => this.links.listLinks(query);
  readonly iterateLinks: Method<'iterateLinks'> = (flow) => this.links.iterateLinks(flow);
  readonly searchLinks: Method<'searchLinks'> = (text, limit) => this.links.searchLinks(text, limit);
  readonly insertLink: Method<'insertLink'> = (link) => this.links.insertLink(link);
  readonly insertLinks: Method<'insertLinks'> = (links) => this.links.insertLinks(links);
  readonly updateLink: Method<'updateLink'> = (id, patch) => this.links.updateLink(id, patch);
  readonly countLinks: Method<'countLinks'> = () => this.links.countLinks();

  readonly addHistory: Method<'addHistory'> = (entries) => this.history.addHistory(entries);
  readonly listHistory: Method<'listHistory'> = (query) => this.history.listHistory(query);
  readonly addConflict: Method<'addConflict'> = (conflict) => this.history.addConflict(conflict);
  readonly listConflicts: Method<'listConflicts'> = (query) => this.history.listConflicts(query);
  readonly resolveConflict: Method<'resolveConflict'> = (id, resolution, by) =>
    this.history.resolveConflict(id, resolution, by);
  readonly pendingResolutions: Method<'pendingResolutions'> = () => this.history.pendingResolutions();
  readonly markResolutionApplied: Method<'markResolutionApplied'> = (id) =>
    this.history.markResolutionApplied(id);
  readonly countConflicts: Method<'countConflicts'> = () => this.history.countConflicts();

  readonly upsertReviewItem: Method<'upsertReviewItem'> = (item) => this.reviews.upsertReviewItem(item);
  readonly listReviewItems: Method<'listReviewItems'> = (query) => this.reviews.listReviewItems(query);
  readonly getReviewItem: Method<'getReviewItem'> = (id) => this.reviews.getReviewItem(id);
  readonly decideReviewItem: Method<'decideReviewItem'> = (id, decision, by) =>
    this.reviews.decideReviewItem(id, decision, by);
  readonly closeReviewItem: Method<'closeReviewItem'> = (id) => this.reviews.closeReviewItem(id);

  readonly quarantine: Method<'quarantine'> = (entry) => this.quarantined.quarantine(entry);
  readonly findQuarantine: Method<'findQuarantine'> = (query) => this.quarantined.findQuarantine(query);
  readonly releaseQuarantine: Method<'releaseQuarantine'> = (query) =>
    this.quarantined.releaseQuarantine(query);
  readonly listQuarantine: Method<'listQuarantine'> = (query) => this.quarantined.listQuarantine(query);
  readonly requestRetry: Method<'requestRetry'> = (id) => this.quarantined.requestRetry(id);
  readonly countQuarantine: Method<'countQuarantine'> = () => this.quarantined.countQuarantine();

  readonly beginWrite: Method<'beginWrite'> = (entry) => this.journal.beginWrite(entry);
  readonly beginWrites: Method<'beginWrites'> = (entries) => this.journal.beginWrites(entries);
  readonly completeWrite: Method<'completeWrite'> = (id, result) => this.journal.completeWrite(id, result);
  readonly completeWrites: Method<'completeWrites'> = (results) => this.journal.completeWrites(results);
  readonly pendingWrites: Method<'pendingWrites'> = () => this.journal.pendingWrites();
  readonly getWatermark: Method<'getWatermark'> = (name) => this.journal.getWatermark(name);
  readonly setWatermark: Method<'setWatermark'> = (name, value) => this.journal.setWatermark(name, value);

  readonly startCycle: Method<'startCycle'> = (info) => this.cycles.startCycle(info);
  readonly finishCycle: Method<'finishCycle'> = (id, result) => this.cycles.finishCycle(id, result);
  readonly interruptStaleCycles: Method<'interruptStaleCycles'> = () => this.cycles.interruptStaleCycles();
  readonly listCycles: Method<'listCycles'> = (query) => this.cycles.listCycles(query);
  readonly lastCycles: Method<'lastCycles'> = () => this.cycles.lastCycles();
  readonly writesPerCycle: Method<'writesPerCycle'> = (limit) => this.cycles.writesPerCycle(limit);
  readonly claimWebhookEvent: Method<'claimWebhookEvent'> = (eventId) =>
    this.cycles.claimWebhookEvent(eventId);
}
