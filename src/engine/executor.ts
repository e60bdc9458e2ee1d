import { randomUUID } from 'node:crypto';
import { ConnectorError, type Connector } from '../connectors/types.ts';
import { HttpError } from '../http/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { FlowPlan, PlanAction } from '../core/planner.ts';
import type { FlowName, Props, RecordType, RemoteRecord, SystemName } from '../core/types.ts';
import type { JournalEntry, Link, NewHistoryEntry, StateStore } from '../store/types.ts';
import type { StatsCollector } from './stats.ts';
import { failpoint } from './failpoints.ts';
import { BATCH_ITEMS, sendBatches } from './batch-creates.ts';

/** Too many transient failures in a row: the other side is down; stop the cycle instead of hammering it. */
const MAX_CONSECUTIVE_TRANSIENT = 8;
/** Units of work whose store writes are committed together (one transaction, one fsync). */
const CHUNK = 64;
/** Remote calls in flight at once; the per-connection rate limiter still paces them. */
const CONCURRENCY = 8;

export class CycleAborted extends Error {
  override readonly name = 'CycleAborted';
}

export interface ExecutorContext {
  store: StateStore;
  connectors: Record<SystemName, Connector>;
  stats: StatsCollector;
  logger: Logger;
  cycleId: number;
  now: () => string;
  signal?: AbortSignal;
  /** Keys `system:type:id` of records rejected in this cycle. */
  rejected: Set<string>;
  /** Keys of the review items this cycle planned (open items not among them are over). */
  reviewed?: Set<string>;
}

/** A store write, deferred to the chunk's transaction. */
type StoreOp = (tx: StateStore, links: ChunkLinks) => Promise<void>;

/**
 * The pairs that already hold records in this chunk's commit: the stored links of the records the
 * chunk's creates were answered with (looked up once per chunk, not twice per create), the pairs
 * the chunk merges, and the links it inserts as it goes.
 */
class ChunkLinks {
  private readonly byYt = new Map<string, Pair>();
  private readonly byCrm = new Map<string, Pair>();

  static async load(
    tx: StateStore,
    flow: FlowName,
    created: readonly Pair[],
    merged: readonly Pair[],
  ): Promise<ChunkLinks> {
    const links = new ChunkLinks();
    if (created.length > 0)
      for (const l of await tx.findLinks({
        flow,
        ytIds: created.map((c) => c.ytId),
        crmIds: created.map((c) => c.crmId),
      }))
        links.add(l);
    for (const p of merged) links.add(p);
    return links;
  }

  holding(ytId: string, crmId: string): Pair | undefined {
    return this.byYt.get(ytId) ?? this.byCrm.get(crmId);
  }

  add(p: Pair): void {
    this.byYt.set(p.ytId, p);
    this.byCrm.set(p.crmId, p);
  }
}

interface Pair {
  ytId: string;
  crmId: string;
}

/** A create that was answered: what its link, journal entry and history need at the commit. */
interface Created extends Pair {
  unit: Unit;
  action: Extract<PlanAction, { kind: 'create' }>;
  record: { id: string; hash: string; version?: string };
}

/** The actions of one pair (or one create, one reject...): run in order, stopped by the first failure. */
interface Unit {
  actions: PlanAction[];
  /** Journal entry of the unit's create, written before the create is sent. */
  journal?: JournalEntry;
  /** The link id once known; set by a deferred insert for a new pair. */
  linkId?: number;
  /** Set just before the create goes out: a journaled create never sent is closed at the chunk's end. */
  sent?: boolean;
  /** The create's answer, linked at the chunk's commit. */
  created?: Created;
  /** The answer of a create sent in a batch (undefined: create it on its own). */
  batched?: Promise<RemoteRecord | undefined>;
}

const other = (s: SystemName): SystemName => (s === 'youtrack' ? 'customcrm' : 'youtrack');

function unitKey(a: PlanAction): string {
  if ('ytId' in a && 'crmId' in a) return `pair:${a.ytId}\u0000${a.crmId}`;
  if (a.kind === 'create') return `create:${a.sourceId}`;
  if ('linkId' in a) return `link:${a.linkId}`;
  return `single:${randomUUID()}`;
}

/** Consecutive actions about the same pair form one unit; the planner emits them together. */
export function groupUnits(actions: readonly PlanAction[]): Unit[] {
  const units: Unit[] = [];
  let lastKey = '';
  for (const a of actions) {
    const key = unitKey(a);
    if (key === lastKey && units.length > 0) units[units.length - 1]!.actions.push(a);
    else units.push({ actions: [a] });
    lastKey = key;
  }
  return units;
}

/**
 * Carries out one flow's plan, chunk by chunk. For each chunk: the creates are journaled in one
 * transaction before any is sent (so a crash after a create finds it again instead of creating it
 * twice), the remote writes run a few at a time, and everything they change in the store (links,
 * bases, history, conflicts, quarantine) is committed in one transaction at the end of the chunk.
 * A crash before that commit loses only bookkeeping: the next cycle sees both sides equal and
 * records the base, or finds the journaled create and links it.
 */
export class PlanExecutor {
  private consecutiveTransient = 0;

  constructor(private readonly ctx: ExecutorContext) {}

  async execute(plan: FlowPlan): Promise<void> {
    await this.executeBatches(plan.flow, [plan.actions]);
  }

  /**
   * Carries out a plan that comes in batches (a streamed flow). Units are chunked across batch
   * boundaries, so the chunks are those of the same actions given at once. Every commit has
   * landed when this returns, and before the next batch is asked for (its planning reads links).
   */
  async executeBatches(
    flow: FlowName,
    batches: AsyncIterable<readonly PlanAction[]> | Iterable<readonly PlanAction[]>,
  ): Promise<void> {
    let units: Unit[] = [];
    const run = async (chunk: Unit[]) => {
      if (this.ctx.signal?.aborted) throw new CycleAborted('stopped at a safe point');
      await this.chunk(flow, chunk);
    };
    try {
      for await (const actions of batches) {
        units = units.concat(groupUnits(actions));
        let i = 0;
        const size = this.chunkSize();
        for (; i + size <= units.length; i += size) await run(units.slice(i, i + size));
        units = units.slice(i);
        await this.committed();
      }
      if (units.length > 0) await run(units);
    } finally {
      await this.committed();
    }
  }

  /**
   * A chunk's commit runs while the next chunk's remote writes go out: with a networked store each
   * statement is a round trip, and waiting for them between chunks left the HTTP side idle. One
   * commit is in flight at a time and they land in chunk order, so each sees the links of all
   * chunks before it (the "answer already linked" check relies on that). A crash while a commit
   * is in flight is the crash before a commit that recovery already handles.
   */
  private inFlight: Promise<void> | undefined;
  private commitError: { error: unknown } | undefined;

  private async committed(): Promise<void> {
    await this.inFlight;
    this.inFlight = undefined;
    const failed = this.commitError;
    this.commitError = undefined;
    if (failed) throw failed.error;
  }

  private async commit(flow: FlowName, ops: StoreOp[], units: Unit[]): Promise<void> {
    await this.committed();
    failpoint('before-commit');
    const created = units.flatMap((u) => (u.created ? [u.created] : []));
    const merged = units.flatMap((u) => u.actions.flatMap((a) => (a.kind === 'link' ? [a] : [])));
    this.inFlight = this.ctx.store
      .transaction(async (tx) => {
        const links = await ChunkLinks.load(tx, flow, created, merged);
        await this.linkCreated(tx, flow, created, links);
        for (const op of ops) await op(tx, links);
      })
      .then(
        () => failpoint('after-commit'),
        (error: unknown) => void (this.commitError = { error }),
      );
  }

  private async chunk(flow: FlowName, units: Unit[]): Promise<void> {
    const { store } = this.ctx;
    const withCreate = units.filter((u) => u.actions[0]?.kind === 'create');
    if (withCreate.length > 0) {
      const journal = await store.beginWrites(
        withCreate.map((u) => {
          const a = u.actions[0] as Extract<PlanAction, { kind: 'create' }>;
          return {
            key: randomUUID(),
            flow,
            op: 'create' as const,
            targetSystem: a.target,
            targetType: a.type,
            sourceSystem: other(a.target),
            sourceId: a.sourceId,
            payload: a.props,
          };
        }),
      );
      withCreate.forEach((u, i) => (u.journal = journal[i]!));
      this.batchCreates(flow, withCreate);
    }

    const ops: StoreOp[] = [];
    let aborted: unknown;
    let next = 0;
    const worker = async () => {
      // Creates already sent in a batch are taken in even after a stop: their records exist.
      while (next < units.length && (aborted === undefined || units[next]!.batched)) {
        const unit = units[next++]!;
        try {
          await this.unit(flow, unit, ops);
        } catch (err) {
          aborted = err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, units.length) }, worker));
    // Creates journaled but never sent (the chunk stopped early) are closed, not left for recovery.
    const unsent = units.flatMap((u) => (u.journal && !u.sent ? [u.journal.id] : []));
    if (unsent.length > 0)
      ops.push((tx) =>
        tx.completeWrites(
          unsent.map((id) => ({ id, status: 'failed', error: 'not sent: the cycle stopped first' })),
        ),
      );
    if (ops.length > 0 || units.some((u) => u.created)) await this.commit(flow, ops, units);
    if (aborted !== undefined) throw aborted;
  }

  private async unit(flow: FlowName, unit: Unit, ops: StoreOp[]): Promise<void> {
    const versions: { crmVersion?: string; ytHash?: string; crmHash?: string } = {};
    for (const action of unit.actions) {
      // A journaled create not sent now is closed by the chunk (`sent` is still unset); one sent
      // in a batch is answered already, and is linked before the stop.
      const sentInBatch = action === unit.actions[0] && unit.batched !== undefined;
      if (this.ctx.signal?.aborted && !sentInBatch) throw new CycleAborted('stopped at a safe point');
      try {
        await this.run(flow, action, unit, versions, ops);
        this.consecutiveTransient = 0;
      } catch (err) {
        if (err instanceof CycleAborted) throw err;
        if (unit.journal && action.kind === 'create') {
          const id = unit.journal.id;
          const message = err instanceof Error ? err.message : String(err);
          // A create that failed clearly is over; an ambiguous one stays pending for recovery.
          if (!(err instanceof HttpError && err.transient))
            ops.push((tx) => tx.completeWrite(id, { status: 'failed', error: message }));
        }
        await this.failed(flow, action, err, ops);
        return;
      }
    }
  }

  private async run(
    flow: FlowName,
    a: PlanAction,
    unit: Unit,
    versions: { crmVersion?: string; ytHash?: string; crmHash?: string },
    ops: StoreOp[],
  ): Promise<void> {
    const { stats } = this.ctx;
    switch (a.kind) {
      case 'create':
        return this.create(flow, a, unit);
      case 'link':
        ops.push(async (tx, links) => {
          const l = await tx.insertLink(this.newLink(flow, a.ytId, a.crmId, 'merged', a.base, a.label));
          unit.linkId = l.id;
          links.add(l);
          await tx.addHistory([
            this.history(flow, l.id, 'customcrm', a.crmId, 'linked', null, null, a.label, 'youtrack'),
          ]);
        });
        return;
      case 'update': {
        const after = await this.ctx.connectors[a.target].update(
          a.type,
          a.id,
          a.patch,
          a.ifMatch ? { ifMatch: a.ifMatch } : {},
        );
        failpoint('after-update');
        stats.add(flow, a.target, 'updated');
        if (a.target === 'customcrm') {
          if (after.version !== undefined) versions.crmVersion = after.version;
          versions.crmHash = after.hash;
        } else versions.ytHash = after.hash;
        const source = a.by ?? other(a.target);
        const note = a.note ?? (a.by ? 'a person chose the losing value of a conflict' : null);
        ops.push((tx) =>
          tx.addHistory(
            a.changes.map((c) =>
              this.history(
                flow,
                a.linkId ?? unit.linkId ?? null,
                a.target,
                a.id,
                a.by ? 'resolved' : 'updated',
                c.row,
                c.from,
                c.to,
                source,
                note,
              ),
            ),
          ),
        );
        return;
      }
      case 'setBase': {
        const v = { ...versions };
        ops.push(async (tx) => {
          const linkId = a.linkId ?? unit.linkId;
          if (linkId === undefined) return;
          await tx.updateLink(linkId, {
            base: a.base,
            ...(a.label !== undefined ? { label: a.label } : {}),
            ...(v.crmVersion !== undefined ? { crmVersion: v.crmVersion } : {}),
            ...(v.ytHash !== undefined ? { ytHash: v.ytHash } : {}),
            ...(v.crmHash !== undefined ? { crmHash: v.crmHash } : {}),
          });
        });
        return;
      }
      case 'conflict':
        stats.add(flow, a.loser, 'conflicts');
        ops.push(async (tx) => {
          const linkId = a.linkId ?? unit.linkId;
          if (linkId === undefined) return;
          await tx.addConflict({
            linkId,
            flow,
            property: a.row,
            winnerSide: a.winner,
            winnerValue: a.winnerValue,
            loserSide: a.loser,
            loserValue: a.loserValue,
            at: this.ctx.now(),
          });
          const recordId = a.loser === 'youtrack' ? a.ytId : a.crmId;
          await tx.addHistory([
            this.history(
              flow,
              linkId,
              a.loser,
              recordId,
              'conflict',
              a.row,
              a.loserValue,
              a.winnerValue,
              a.winner,
            ),
          ]);
        });
        return;
      case 'markDeleted':
        ops.push(async (tx) => {
          const link = await tx.getLink(a.linkId);
          if (!link) return;
          await tx.updateLink(a.linkId, { status: markStatus(link.status, a.side) });
          const recordId = a.side === 'youtrack' ? link.ytId : link.crmId;
          await tx.addHistory([
            this.history(
              flow,
              a.linkId,
              a.side,
              recordId,
              'deleted',
              null,
              null,
              null,
              a.side,
              'deleted in ' + a.side,
            ),
          ]);
        });
        return;
      case 'delete':
        await this.ctx.connectors[a.target].delete(a.type, a.id);
        stats.add(flow, a.target, 'deleted');
        ops.push((tx) =>
          tx.addHistory([
            this.history(
              flow,
              a.linkId,
              a.target,
              a.id,
              'deleted',
              null,
              null,
              null,
              other(a.target),
              'delete propagated',
            ),
          ]),
        );
        return;
      case 'deactivate':
        await this.ctx.connectors.customcrm.update(a.type, a.id, { Active: false });
        stats.add(flow, a.target, 'updated');
        ops.push((tx) =>
          tx.addHistory([
            this.history(
              flow,
              a.linkId,
              a.target,
              a.id,
              'updated',
              'Active',
              true,
              false,
              'youtrack',
              'counterpart deleted: deactivated',
            ),
          ]),
        );
        return;
      case 'reject':
        this.reject(flow, a.system, a.type, a.id, a.code, a.property, a.reason, ops);
        return;
      case 'report':
        this.ctx.logger.warn(a.message, { code: a.code, system: a.system, ids: a.ids, flow });
        return;
      case 'review':
        this.ctx.reviewed?.add(a.key);
        this.ctx.logger.warn(a.message, { code: a.code, flow, review: a.key });
        ops.push((tx) =>
          tx.upsertReviewItem({
            key: a.key,
            code: a.code,
            flow: a.flow,
            records: a.records,
            candidates: a.candidates,
            changes: a.changes ?? [],
            message: a.message,
          }),
        );
        return;
      case 'decided':
        ops.push((tx) => tx.closeReviewItem(a.itemId));
        return;
      case 'resolved':
        ops.push((tx) => tx.markResolutionApplied(a.conflictId));
        return;
    }
  }

  /**
   * Units per chunk: with batch writes a chunk holds CONCURRENCY batch requests (256 units with
   * batches of 32), sent at once, so a round trip's latency is paid once per many records.
   */
  private chunkSize(): number {
    const { youtrack, customcrm } = this.ctx.connectors;
    const batch = Math.min(BATCH_ITEMS, Math.max(youtrack.batchSize?.() ?? 0, customcrm.batchSize?.() ?? 0));
    return batch > 1 ? Math.max(CHUNK, batch * CONCURRENCY) : CHUNK;
  }

  /** The chunk's creates of one target, sent in batch requests where the connector has them. */
  private batchCreates(flow: FlowName, units: Unit[]): void {
    for (const target of ['youtrack', 'customcrm'] as const) {
      const mine = units.filter((u) => (u.actions[0] as { target?: SystemName }).target === target);
      const answers = sendBatches(
        this.ctx.connectors[target],
        mine.map((u) => {
          const a = u.actions[0] as Extract<PlanAction, { kind: 'create' }>;
          return {
            type: a.type,
            props: a.props,
            opts: this.createOptions(flow, a, u.journal!),
            sending: () => (u.sent = true),
          };
        }),
      );
      answers?.forEach((p, i) => (mine[i]!.batched = p));
    }
  }

  private createOptions(flow: FlowName, a: Extract<PlanAction, { kind: 'create' }>, entry: JournalEntry) {
    const source = other(a.target);
    return {
      idempotencyKey: entry.key,
      externalRef: {
        System: source === 'youtrack' ? 'YouTrack' : 'Customcrm',
        Type: sourceTypeOf(flow, source),
        Id: a.sourceId,
      },
    } as const;
  }

  private async create(
    flow: FlowName,
    a: Extract<PlanAction, { kind: 'create' }>,
    unit: Unit,
  ): Promise<void> {
    let created = unit.batched ? await unit.batched : undefined;
    if (!created) {
      failpoint('before-create');
      unit.sent = true;
      created = await this.ctx.connectors[a.target].create(
        a.type,
        a.props,
        this.createOptions(flow, a, unit.journal!),
      );
    }
    this.ctx.stats.add(flow, a.target, 'created');
    failpoint('after-create');
    const [ytId, crmId] = a.target === 'customcrm' ? [a.sourceId, created.id] : [created.id, a.sourceId];
    unit.created = { ytId, crmId, unit, action: a, record: created };
  }

  /**
   * The links, journal entries and history of the chunk's answered creates, a statement each for
   * the whole chunk. A create answered with a record that is already linked (e.g. a group name
   * taken by another Customer's group, found again after an ambiguous answer) is not linked:
   * linking it twice would merge two records into one, so its source record is quarantined.
   */
  private async linkCreated(
    tx: StateStore,
    flow: FlowName,
    created: readonly Created[],
    links: ChunkLinks,
  ): Promise<void> {
    const fresh: Created[] = [];
    const taken: Array<{ c: Created; by: Pair }> = [];
    for (const c of created) {
      const by = links.holding(c.ytId, c.crmId);
      if (by) taken.push({ c, by });
      else {
        fresh.push(c);
        links.add(c);
      }
    }
    const inserted = await tx.insertLinks(
      fresh.map(({ action: a, ytId, crmId, record }) => ({
        ...this.newLink(
          flow,
          ytId,
          crmId,
          a.target === 'customcrm' ? 'created-in-customcrm' : 'created-in-youtrack',
          a.base,
          a.label,
        ),
        ...(a.target === 'customcrm'
          ? { crmHash: record.hash, crmVersion: record.version ?? null }
          : { ytHash: record.hash }),
      })),
    );
    fresh.forEach((c, i) => (c.unit.linkId = inserted[i]!.id));
    await tx.completeWrites([
      ...fresh.map((c) => ({ id: c.unit.journal!.id, targetId: c.record.id, status: 'done' as const })),
      ...taken.map(({ c }) => ({
        id: c.unit.journal!.id,
        targetId: c.record.id,
        status: 'failed' as const,
        error: 'answer already linked',
      })),
    ]);
    await tx.addHistory(
      fresh.map(({ action: a, record, unit }) =>
        this.history(
          flow,
          unit.linkId!,
          a.target,
          record.id,
          'created',
          null,
          null,
          a.label,
          other(a.target),
        ),
      ),
    );
    for (const { c, by } of taken) {
      const a = c.action;
      const source = other(a.target);
      const reason =
        `${a.target} answered the create of "${a.label}" with ${a.type} ${c.record.id}, which is already linked to ` +
        `${a.target === 'customcrm' ? by.ytId : by.crmId}; make the two records distinct (e.g. rename one), then retry`;
      await this.reject(
        flow,
        source,
        sourceTypeOf(flow, source),
        a.sourceId,
        'DUPLICATE',
        null,
        reason,
        [],
      )(tx, links);
    }
  }

  private async failed(flow: FlowName, a: PlanAction, err: unknown, ops: StoreOp[]): Promise<void> {
    const target = 'target' in a ? a.target : 'system' in a ? a.system : 'customcrm';
    this.ctx.stats.add(flow, target, 'errors');
    if (err instanceof ConnectorError) {
      if (err.code === 'STALE') {
        this.ctx.logger.info('record changed since it was read; it is planned again next cycle', {
          flow,
          record: err.info.record,
        });
        return;
      }
      const sourceSystem = a.kind === 'create' ? other(a.target) : target;
      const sourceId = a.kind === 'create' ? a.sourceId : 'id' in a ? a.id : undefined;
      const type = a.kind === 'create' ? sourceTypeOf(flow, sourceSystem) : 'type' in a ? a.type : undefined;
      if (sourceId && type) {
        this.reject(
          flow,
          sourceSystem,
          type,
          sourceId,
          err.code,
          err.info.property ?? null,
          err.message,
          ops,
        );
        return;
      }
    }
    if (err instanceof HttpError && err.transient) {
      this.consecutiveTransient++;
      this.ctx.logger.warn('write failed; it is retried next cycle', {
        flow,
        code: err.code,
        message: err.message,
      });
      if (this.consecutiveTransient >= MAX_CONSECUTIVE_TRANSIENT)
        throw new CycleAborted(
          `${err.details.system} keeps failing (${err.code}); the cycle stops and is tried again later`,
        );
      return;
    }
    if (err instanceof HttpError) {
      this.ctx.logger.error('write rejected', {
        flow,
        code: err.code,
        status: err.status,
        message: err.message,
      });
      return;
    }
    throw err;
  }

  private reject(
    flow: FlowName,
    system: SystemName,
    type: RecordType,
    id: string,
    code: string,
    property: string | null,
    reason: string,
    ops: StoreOp[],
  ): StoreOp {
    this.ctx.rejected.add(`${system}:${type}:${id}`);
    this.ctx.stats.add(flow, system, 'errors');
    this.ctx.logger.warn(`${system} ${type} ${id} quarantined: ${reason}`, { code, property, flow });
    const op: StoreOp = (tx) =>
      tx.quarantine({ system, recordType: type, recordId: id, flow, code, property, reason });
    ops.push(op);
    return op;
  }

  private newLink(
    flow: FlowName,
    ytId: string,
    crmId: string,
    origin: Link['origin'],
    base: Props,
    label: string,
  ) {
    return {
      flow,
      ytType: sourceTypeOf(flow, 'youtrack'),
      ytId,
      crmType: sourceTypeOf(flow, 'customcrm'),
      crmId,
      origin,
      status: 'active' as const,
      base,
      ytHash: null,
      crmHash: null,
      crmVersion: null,
      label,
    };
  }

  private history(
    flow: FlowName,
    linkId: number | null,
    system: SystemName,
    recordId: string,
    action: NewHistoryEntry['action'],
    property: string | null,
    oldValue: NewHistoryEntry['oldValue'],
    newValue: NewHistoryEntry['newValue'],
    source: NewHistoryEntry['source'],
    note: string | null = null,
  ): NewHistoryEntry {
    return {
      at: this.ctx.now(),
      cycleId: this.ctx.cycleId,
      linkId,
      flow,
      system,
      recordId,
      property,
      oldValue,
      newValue,
      source,
      action,
      note,
    };
  }
}

function markStatus(current: Link['status'], side: SystemName): Link['status'] {
  const otherDeleted: Link['status'] = side === 'youtrack' ? 'customcrm-deleted' : 'youtrack-deleted';
  if (current === otherDeleted || current === 'both-deleted') return 'both-deleted';
  return side === 'youtrack' ? 'youtrack-deleted' : 'customcrm-deleted';
}

export function sourceTypeOf(flow: FlowName, system: SystemName): RecordType {
  if (system === 'customcrm') return flow === 'users' ? 'Contact' : 'Customer';
  return flow === 'users' ? 'User' : flow === 'groups' ? 'Group' : 'Organization';
}
