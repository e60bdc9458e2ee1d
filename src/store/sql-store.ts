import type { FlowName, Props, PropValue, RecordType, SystemName } from '../core/types.ts';
import type { Clock } from '../util/clock.ts';
import { isUniqueViolation, type Migration, type SqlDriver, type SqlValue } from './driver.ts';
import { StoreError } from './errors.ts';
import type { Queries } from './queries.ts';
import {
  conflictsStatement,
  historyStatement,
  linksStatement,
  quarantineStatement,
  retryStatement,
  type ConflictQuery,
  type HistoryQuery,
  type LinkQuery,
  type QuarantineQuery,
  type Statement,
} from './statements.ts';
import { reviewQueries, reviewRecordsJson, toReviewItem, type ReviewQueries } from './review-items.ts';
import { isoTime, toConflict, toCycle, toHistory, toJournal, toLink, toQuarantine } from './rows.ts';
import type {
  Conflict,
  ConflictStatus,
  CycleRecord,
  CycleResult,
  HistoryEntry,
  JournalEntry,
  Link,
  LinkPatch,
  LinkStatus,
  NewConflict,
  NewHistoryEntry,
  NewJournalEntry,
  NewLink,
  NewQuarantineEntry,
  NewReviewItem,
  QuarantineEntry,
  ReviewDecision,
  ReviewItem,
  ReviewStatus,
  StateStore,
} from './types.ts';

/** Links fetched per round trip by iterateLinks: bounded memory whatever the table size. */
export const LINK_PAGE_SIZE = 500;

/** The scope of a store opened without one: the name a configuration's only connection gets by default. */
export const DEFAULT_CONNECTION = 'main';

export interface Dialect {
  driver: SqlDriver;
  queries: Queries;
  migrations: readonly Migration[];
}

/**
 * The one StateStore implementation, over any database that supplies a driver, its SQL text
 * and its migrations. Calls made inside `transaction` join it through the driver, so `tx` is
 * this same object.
 */
export class SqlStateStore implements StateStore {
  private readonly driver: SqlDriver;
  private readonly q: Queries;
  private readonly migrations: readonly Migration[];
  private readonly rq: ReviewQueries;

  constructor(
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    readonly connection: string = DEFAULT_CONNECTION,
  ) {
    this.driver = dialect.driver;
    this.q = dialect.queries;
    this.migrations = dialect.migrations;
    this.rq = reviewQueries(dialect.driver.dialect);
  }

  /** Shares this store's database, connections and transactions; only the scope differs. */
  forConnection(connection: string): StateStore {
    if (connection === this.connection) return this;
    return new SqlStateStore(this.dialect, this.clock, connection);
  }

  migrate(): Promise<void> {
    return this.driver.migrate(this.migrations);
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  transaction<T>(fn: (tx: StateStore) => Promise<T>): Promise<T> {
    return this.driver.transaction(() => fn(this));
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  private all(sql: string, params: readonly SqlValue[] = []) {
    return this.driver.connection((c) => c.all(sql, params));
  }

  /** Writes always run in a transaction, which is where SQLite waits for a busy lock without blocking. */
  private query(statement: Statement) {
    return this.all(statement.sql, statement.params);
  }

  private run(sql: string, params: readonly SqlValue[] = []) {
    return this.driver.transaction((c) => c.run(sql, params));
  }

  private insert(sql: string, params: readonly SqlValue[]) {
    return this.driver.transaction((c) => c.all(sql, params));
  }

  // Links

  async getLink(id: number): Promise<Link | null> {
    const [row] = await this.all(this.q.getLink, [id]);
    return row ? toLink(row) : null;
  }

  async findLink(query: { flow: FlowName; ytId?: string; crmId?: string }): Promise<Link | null> {
    if (query.ytId === undefined && query.crmId === undefined) {
      throw new StoreError('INVALID_ARGUMENT', `findLink in flow ${query.flow} needs a ytId or a crmId`);
    }
    const [row] =
      query.ytId !== undefined
        ? await this.all(this.q.findLinkByYt, [query.flow, query.ytId, query.crmId ?? null, this.connection])
        : await this.all(this.q.findLinkByCrm, [query.flow, query.crmId ?? null, this.connection]);
    return row ? toLink(row) : null;
  }

  async findLinks(query: {
    flow: FlowName;
    ytIds: readonly string[];
    crmIds?: readonly string[];
  }): Promise<Link[]> {
    const byId = new Map<number, Link>();
    for (const [sql, ids] of [
      [this.q.findLinksByYt, query.ytIds],
      [this.q.findLinksByCrm, query.crmIds ?? []],
    ] as const) {
      if (ids.length === 0) continue;
      for (const row of await this.all(sql, [query.flow, JSON.stringify(ids), this.connection]))
        byId.set(Number(row['id']), toLink(row));
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  async listLinks(query: LinkQuery): Promise<Link[]> {
    return (await this.query(linksStatement(this.q, query, this.connection))).map(toLink);
  }

  async *iterateLinks(flow: FlowName): AsyncIterable<Link> {
    let afterId = 0;
    for (;;) {
      const rows = await this.all(this.q.pageLinks, [flow, afterId, LINK_PAGE_SIZE, this.connection]);
      for (const row of rows) yield toLink(row);
      const last = rows.at(-1);
      if (!last || rows.length < LINK_PAGE_SIZE) return;
      afterId = Number(last.id);
    }
  }

  async searchLinks(text: string, limit: number): Promise<Link[]> {
    const pattern = `%${text
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (await this.all(this.q.searchLinks, [pattern, limit, this.connection])).map(toLink);
  }

  async insertLink(link: NewLink): Promise<Link> {
    const [inserted] = await this.insertLinks([link]);
    return inserted!;
  }

  async insertLinks(links: readonly NewLink[]): Promise<Link[]> {
    if (links.length === 0) return [];
    const rows = links.map((link) => {
      const what = linkName(link);
      checkText([link.ytId, link.crmId, link.label, link.ytHash, link.crmHash, link.crmVersion], what);
      return {
        flow: link.flow,
        yt_type: link.ytType,
        yt_id: link.ytId,
        crm_type: link.crmType,
        crm_id: link.crmId,
        origin: link.origin,
        status: link.status,
        base: json(link.base, `${what}, base`),
        yt_hash: link.ytHash,
        crm_hash: link.crmHash,
        crm_version: link.crmVersion,
        label: link.label,
        search: searchText(link),
      };
    });
    try {
      const inserted = (
        await this.insert(this.q.insertLinks, [JSON.stringify(rows), this.now(), this.connection])
      ).map(toLink);
      // RETURNING promises no order: each link is found again by its pair.
      const byPair = new Map(inserted.map((l) => [`${l.ytId}\u0000${l.crmId}`, l]));
      return links.map((l) => byPair.get(`${l.ytId}\u0000${l.crmId}`)!);
    } catch (err) {
      throw linkError(err, links[0]!, links.length);
    }
  }

  updateLink(id: number, patch: LinkPatch): Promise<void> {
    return this.driver.transaction(async (c) => {
      const [row] = await c.all(this.q.getLinkForUpdate, [id]);
      if (!row)
        throw new StoreError('NOT_FOUND', `link ${id} does not exist; re-read the links before updating`);
      const next = { ...toLink(row), ...definedOnly(patch) };
      const what = linkName(next);
      checkText([next.ytId, next.crmId, next.label, next.ytHash, next.crmHash, next.crmVersion], what);
      const base = json(next.base, `${what}, base`);
      try {
        await c.run(this.q.updateLink, [
          id,
          next.status,
          base,
          next.ytHash,
          next.crmHash,
          next.crmVersion,
          next.label,
          searchText(next),
          next.ytId,
          next.crmId,
          this.now(),
        ]);
      } catch (err) {
        throw linkError(err, next);
      }
    });
  }

  async countLinks(): Promise<Array<{ flow: FlowName; status: LinkStatus; count: number }>> {
    const rows = await this.all(this.q.countLinks, [this.connection]);
    return rows.map((r) => ({
      flow: String(r.flow) as FlowName,
      status: String(r.status) as LinkStatus,
      count: Number(r.count),
    }));
  }

  // History

  /** One statement for all the entries (a chunk's history), in the order given. */
  async addHistory(entries: NewHistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => {
      const what = `history of ${e.system} ${e.recordId}, ${e.property ?? 'record'}`;
      checkText([e.recordId, e.property, e.note], what);
      return {
        at: isoTime(e.at),
        cycle_id: e.cycleId,
        link_id: e.linkId,
        flow: e.flow,
        system: e.system,
        record_id: e.recordId,
        property: e.property,
        old_value: json(e.oldValue, `${what}, old value`),
        new_value: json(e.newValue, `${what}, new value`),
        source: e.source,
        action: e.action,
        note: e.note,
      };
    });
    await this.run(this.q.insertHistories, [JSON.stringify(rows), this.connection]);
  }

  async listHistory(query: HistoryQuery): Promise<HistoryEntry[]> {
    return (await this.query(historyStatement(this.q, query, this.connection))).map(toHistory);
  }

  // Conflicts

  async addConflict(conflict: NewConflict): Promise<Conflict> {
    const what = `conflict on link ${conflict.linkId}, ${conflict.property}`;
    const [row] = await this.insert(this.q.insertConflict, [
      conflict.linkId,
      conflict.flow,
      conflict.property,
      conflict.winnerSide,
      json(conflict.winnerValue, `${what}, winning value`),
      conflict.loserSide,
      json(conflict.loserValue, `${what}, losing value`),
      isoTime(conflict.at),
      this.connection,
    ]);
    return toConflict(row!);
  }

  async listConflicts(query: ConflictQuery): Promise<Conflict[]> {
    return (await this.query(conflictsStatement(this.q, query, this.connection))).map(toConflict);
  }

  resolveConflict(id: number, resolution: 'keep-winner' | 'apply-loser', by: string): Promise<void> {
    const status: ConflictStatus = resolution === 'keep-winner' ? 'kept' : 'applied-loser';
    return this.driver.transaction(async (c) => {
      if ((await c.run(this.q.resolveConflict, [id, status, this.now(), by])) === 1) return;
      const [row] = await c.all(this.q.getConflict, [id]);
      if (!row) throw new StoreError('NOT_FOUND', `conflict ${id} does not exist; reload the conflict list`);
      const current = toConflict(row);
      throw new StoreError(
        'CONFLICT_NOT_OPEN',
        `conflict ${id} (${current.property}) was already resolved (${current.status}) by ${current.resolvedBy ?? 'a cycle'}; reload the conflict list`,
      );
    });
  }

  async pendingResolutions(): Promise<Conflict[]> {
    return (await this.all(this.q.pendingResolutions, [this.connection])).map(toConflict);
  }

  async markResolutionApplied(id: number): Promise<void> {
    await this.run(this.q.markResolutionApplied, [id]);
  }

  async countConflicts(): Promise<{ open: number; pending: number }> {
    const [row] = await this.all(this.q.countConflicts, [this.connection]);
    return { open: Number(row?.open ?? 0), pending: Number(row?.pending ?? 0) };
  }

  // Review items

  async upsertReviewItem(item: NewReviewItem): Promise<void> {
    const records = reviewRecordsJson(item);
    await this.run(this.rq.upsert, [
      item.key,
      item.code,
      item.flow,
      records,
      item.message,
      this.now(),
      this.connection,
    ]);
  }

  async listReviewItems(query: { status?: ReviewStatus }): Promise<ReviewItem[]> {
    const rows = query.status
      ? await this.all(this.rq.listByStatus, [this.connection, query.status])
      : await this.all(this.rq.list, [this.connection]);
    return rows.map(toReviewItem);
  }

  async getReviewItem(id: number): Promise<ReviewItem | null> {
    const [row] = await this.all(this.rq.get, [id, this.connection]);
    return row ? toReviewItem(row) : null;
  }

  async decideReviewItem(id: number, decision: ReviewDecision, by: string): Promise<void> {
    const changed = await this.run(this.rq.decide, [
      id,
      JSON.stringify(decision),
      by,
      this.now(),
      this.connection,
    ]);
    if (changed === 1) return;
    const item = await this.getReviewItem(id);
    if (!item)
      throw new StoreError('NOT_FOUND', `review item ${id} does not exist; list them with tandem review`);
    throw new StoreError(
      'REVIEW_NOT_OPEN',
      `review item ${id} was already decided (${item.decision?.action ?? item.status}) by ${item.decidedBy ?? 'a cycle'}; list them again with tandem review`,
    );
  }

  async closeReviewItem(id: number): Promise<void> {
    await this.run(this.rq.close, [id, this.connection]);
  }

  // Quarantine

  async quarantine(e: NewQuarantineEntry): Promise<void> {
    await this.run(this.q.upsertQuarantine, [
      e.system,
      e.recordType,
      e.recordId,
      e.flow,
      e.code,
      e.property,
      e.reason,
      this.now(),
      this.connection,
    ]);
  }

  async findQuarantine(query: {
    system: SystemName;
    recordType: RecordType;
    recordId: string;
  }): Promise<QuarantineEntry | null> {
    const [row] = await this.all(this.q.findQuarantine, [
      query.system,
      query.recordType,
      query.recordId,
      this.connection,
    ]);
    return row ? toQuarantine(row) : null;
  }

  async releaseQuarantine(query: {
    system: SystemName;
    recordType: RecordType;
    recordId: string;
  }): Promise<void> {
    await this.run(this.q.releaseQuarantine, [
      query.system,
      query.recordType,
      query.recordId,
      this.connection,
    ]);
  }

  async listQuarantine(query: QuarantineQuery): Promise<QuarantineEntry[]> {
    return (await this.query(quarantineStatement(this.q, query, this.connection))).map(toQuarantine);
  }

  requestRetry(id: number | 'all'): Promise<number> {
    const { sql, params } = retryStatement(this.q, id, this.connection);
    return this.run(sql, params);
  }

  async countQuarantine(): Promise<{ quarantined: number; retryRequested: number }> {
    const [row] = await this.all(this.q.countQuarantine, [this.connection]);
    return { quarantined: Number(row?.quarantined ?? 0), retryRequested: Number(row?.retry_requested ?? 0) };
  }

  // Journal

  async beginWrite(e: NewJournalEntry): Promise<JournalEntry> {
    const [entry] = await this.beginWrites([e]);
    return entry!;
  }

  async beginWrites(entries: readonly NewJournalEntry[]): Promise<JournalEntry[]> {
    if (entries.length === 0) return [];
    const batch = entries.map((e) => ({
      key: e.key,
      flow: e.flow,
      op: e.op,
      target_system: e.targetSystem,
      target_type: e.targetType,
      source_system: e.sourceSystem,
      source_id: e.sourceId,
      payload: json(e.payload, `create of ${e.targetType} from ${e.sourceSystem} ${e.sourceId}`),
    }));
    // One statement, one round trip: the new entries come back from the insert; only keys begun
    // before (a repeated call, rare) are read again.
    // Not in a transaction of its own: the insert is one atomic statement, and the entries it did
    // not insert were committed before it.
    const rows = await this.all(this.q.insertJournals, [JSON.stringify(batch), this.now(), this.connection]);
    const byKey = new Map(rows.map((r) => [r['key'], r]));
    const earlier = entries.filter((e) => !byKey.has(e.key)).map((e) => e.key);
    if (earlier.length > 0)
      for (const r of await this.all(this.q.getJournalsByKeys, [JSON.stringify(earlier)]))
        byKey.set(r['key'], r);
    return entries.map((e) => toJournal(byKey.get(e.key)!));
  }

  async completeWrite(
    id: number,
    result: { targetId?: string; status: 'done' | 'failed'; error?: string },
  ): Promise<void> {
    const changed = await this.run(this.q.completeWrite, [
      id,
      result.status,
      result.targetId ?? null,
      result.error ?? null,
      this.now(),
    ]);
    if (changed === 0) throw new StoreError('NOT_FOUND', `journal entry ${id} does not exist`);
  }

  async completeWrites(
    results: ReadonlyArray<{ id: number; targetId?: string; status: 'done' | 'failed'; error?: string }>,
  ): Promise<void> {
    if (results.length === 0) return;
    const rows = results.map((r) => ({
      id: r.id,
      status: r.status,
      target_id: r.targetId ?? null,
      error: r.error ?? null,
    }));
    const changed = await this.run(this.q.completeWrites, [JSON.stringify(rows), this.now()]);
    if (changed !== new Set(results.map((r) => r.id)).size)
      throw new StoreError(
        'NOT_FOUND',
        `${results.length - changed} of journal entries ${results.map((r) => r.id).join(', ')} do not exist`,
      );
  }

  async pendingWrites(): Promise<JournalEntry[]> {
    return (await this.all(this.q.pendingWrites, [this.connection])).map(toJournal);
  }

  // Watermarks

  async getWatermark(name: string): Promise<string | undefined> {
    const [row] = await this.all(this.q.getWatermark, [name]);
    return row ? String(row.value) : undefined;
  }

  async setWatermark(name: string, value: string): Promise<void> {
    await this.run(this.q.setWatermark, [name, value, this.now()]);
  }

  // Cycles

  async startCycle(info: { connection: string; kind: 'full' | 'incremental' | 'plan' }): Promise<number> {
    const [row] = await this.insert(this.q.insertCycle, [info.connection, info.kind, this.now()]);
    return Number(row!.id);
  }

  async finishCycle(id: number, result: CycleResult): Promise<void> {
    const changed = await this.run(this.q.finishCycle, [
      id,
      result.status,
      result.writes,
      JSON.stringify(result.stats),
      result.message ?? null,
      this.now(),
    ]);
    if (changed === 0)
      throw new StoreError('NOT_FOUND', `cycle ${id} does not exist; start it with startCycle`);
  }

  interruptStaleCycles(): Promise<number[]> {
    return this.driver.transaction(async (c) => {
      const running = (await c.all(this.q.runningCycles, [this.connection])).map((r) => Number(r.id));
      const current = running.pop();
      const message =
        `the process running it stopped before it finished (killed or crashed); ` +
        `found still running when cycle ${current} of connection ${this.connection} started`;
      for (const id of running) await c.run(this.q.interruptCycle, [id, message, this.now()]);
      return running;
    });
  }

  async listCycles(query: { limit: number }): Promise<CycleRecord[]> {
    return (await this.all(this.q.listCycles, [query.limit])).map(toCycle);
  }

  async lastCycles(): Promise<CycleRecord[]> {
    return (await this.all(LAST_CYCLES)).map(toCycle);
  }

  async writesPerCycle(
    limit: number,
  ): Promise<Array<{ cycleId: number; startedAt: string; writes: number }>> {
    const rows = await this.all(this.q.writesPerCycle, [limit]);
    return rows.map((r) => ({
      cycleId: Number(r.id),
      startedAt: r.started_at instanceof Date ? r.started_at.toISOString() : String(r.started_at),
      writes: Number(r.writes),
    }));
  }

  // Webhook replay cache (issue 15)

  async claimWebhookEvent(eventId: string): Promise<boolean> {
    const day = new Date(this.clock.now() - 24 * 3600_000).toISOString();
    await this.run(this.q.pruneWebhookEvents, [day]);
    const rows = await this.insert(this.q.claimWebhookEvent, [this.connection, eventId, this.now()]);
    return rows.length > 0;
  }
}

/** No parameters, so the same text runs on every dialect (their placeholders differ). */
const LAST_CYCLES = `SELECT * FROM cycles WHERE id IN (SELECT max(id) FROM cycles GROUP BY connection)
  ORDER BY connection`;

/** Lowercased in JavaScript, not SQL, so search folds non-ASCII letters alike in every database. */
function searchText(link: Pick<Link, 'label' | 'ytId' | 'crmId'>): string {
  return `${link.label}\n${link.ytId}\n${link.crmId}`.toLowerCase();
}

/**
 * PostgreSQL cannot hold U+0000 in text or jsonb; every database refuses it alike so that a
 * store that works on SQLite does not fail later on PostgreSQL.
 */
function json(value: PropValue | Props, what: string): string {
  if (hasNul(value)) throw nulError(what);
  return JSON.stringify(value);
}

function checkText(values: readonly (string | null)[], what: string): void {
  if (values.some(hasNul)) throw nulError(what);
}

function nulError(what: string): StoreError {
  return new StoreError(
    'INVALID_VALUE',
    `${what} contains a NUL character (U+0000), which the state store cannot keep; remove it in the source system`,
  );
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => hasNul(k) || hasNul(v));
  return false;
}

function linkName(link: Pick<Link, 'flow' | 'ytId' | 'crmId'>): string {
  return `link ${link.flow} YouTrack ${link.ytId} / Customcrm ${link.crmId}`;
}

function definedOnly(patch: LinkPatch): LinkPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as LinkPatch;
}

function linkError(err: unknown, link: Pick<Link, 'flow' | 'ytId' | 'crmId'>, count = 1): unknown {
  if (!isUniqueViolation(err)) return err;
  const which =
    count === 1
      ? `YouTrack ${link.ytId} or Customcrm ${link.crmId} is`
      : `a record of the ${count} links from YouTrack ${link.ytId} on is`;
  return new StoreError(
    'LINK_EXISTS',
    `flow ${link.flow}: ${which} already in an active link; ` +
      'find it with findLink and update it instead of inserting another',
    { cause: err },
  );
}
