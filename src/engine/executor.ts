import { randomUUID } from 'node:crypto';
import type { Connector } from '../connectors/types.ts';
import { effectsOf, journalFailed, type EffectContext, type Versions } from '../core/effects.ts';
import { other } from '../core/systems.ts';
import type { FlowPlan, PlanAction } from '../core/planner.ts';
import type { FlowName, SystemName } from '../core/types.ts';
import type { Logger } from '../log/logger.ts';
import type { StateStore } from '../store/types.ts';
import { carryOut, createOptions, noteRejected, type ActionDeps } from './actions.ts';
import { applyChanges } from './apply-changes.ts';
import { BATCH_ITEMS, sendBatches, sendUpdateBatches } from './batch-writes.ts';
import { noFailpoint, type Failpoint } from './failpoints.ts';
import type { StatsCollector } from './stats.ts';
import { groupUnits, leadingUpdate, type CreateAction, type Pending, type Unit } from './units.ts';
import { CycleAborted, WriteFailures } from './write-errors.ts';

export { CycleAborted } from './write-errors.ts';

/** Units of work whose store writes are committed together (one transaction, one fsync). */
const CHUNK = 64;
/** Remote calls in flight at once; the per-connection rate limiter still paces them. */
const CONCURRENCY = 8;

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
  /** Called at the named points of a cycle; the crash tests make it stop the process there. */
  failpoint?: Failpoint;
}

/**
 * Carries out one flow's plan, chunk by chunk. For each chunk: the creates are journaled in one
 * transaction before any is sent (so a crash after a create finds it again instead of creating it
 * twice), the remote writes run a few at a time (`actions.ts`), each answer becomes the action's
 * changes (`core/effects.ts`), and the chunk's changes are committed in one transaction
 * (`apply-changes.ts`). A crash before that commit loses only bookkeeping: the next cycle sees
 * both sides equal and records the base, or finds the journaled create and links it.
 */
export class PlanExecutor {
  private readonly deps: ActionDeps;
  private readonly failures: WriteFailures;

  constructor(private readonly ctx: ExecutorContext) {
    this.deps = {
      connectors: ctx.connectors,
      stats: ctx.stats,
      logger: ctx.logger,
      failpoint: ctx.failpoint ?? noFailpoint,
      rejected: ctx.rejected,
      ...(ctx.reviewed ? { reviewed: ctx.reviewed } : {}),
    };
    this.failures = new WriteFailures(this.deps);
  }

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

  private effectContext(flow: FlowName): EffectContext {
    return { flow, cycleId: this.ctx.cycleId, at: this.ctx.now() };
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

  private async commit(flow: FlowName, pending: Pending[]): Promise<void> {
    await this.committed();
    this.deps.failpoint('before-commit');
    const ctx = this.effectContext(flow);
    this.inFlight = this.ctx.store
      .transaction((tx) => applyChanges(tx, ctx, pending, (q) => noteRejected(this.deps, q)))
      .then(
        () => this.deps.failpoint('after-commit'),
        (error: unknown) => void (this.commitError = { error }),
      );
  }

  /** Journals the chunk's creates in one transaction, then sends those a batch request can take. */
  private async journalCreates(flow: FlowName, units: Unit[]): Promise<void> {
    const withCreate = units.filter((u) => u.actions[0]?.kind === 'create');
    if (withCreate.length === 0) return;
    const journal = await this.ctx.store.beginWrites(
      withCreate.map((u) => {
        const a = u.actions[0] as CreateAction;
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
    for (const target of ['youtrack', 'customcrm'] as const) {
      const mine = withCreate.filter((u) => (u.actions[0] as CreateAction).target === target);
      const answers = sendBatches(
        this.ctx.connectors[target],
        mine.map((u) => {
          const a = u.actions[0] as CreateAction;
          return {
            type: a.type,
            props: a.props,
            opts: createOptions(flow, a, u.journal!),
            sending: () => (u.sent = true),
          };
        }),
        this.deps.failpoint,
      );
      answers?.forEach((p, i) => (mine[i]!.batched = p));
    }
  }

  /** The chunk's leading updates, sent in batch requests where the target's connector has them. */
  private batchUpdates(units: Unit[]): void {
    for (const target of ['youtrack', 'customcrm'] as const) {
      const mine = units.flatMap((unit) => {
        const a = leadingUpdate(unit);
        return a?.target === target ? [{ unit, a }] : [];
      });
      const answers = sendUpdateBatches(
        this.ctx.connectors[target],
        mine.map(({ a }) => ({
          type: a.type,
          id: a.id,
          patch: a.patch,
          opts: a.ifMatch ? { ifMatch: a.ifMatch } : {},
        })),
      );
      answers?.forEach((answer, i) => (mine[i]!.unit.batchedUpdate = { action: mine[i]!.a, answer }));
    }
  }

  private async chunk(flow: FlowName, units: Unit[]): Promise<void> {
    await this.journalCreates(flow, units);
    this.batchUpdates(units);
    const pending: Pending[] = [];
    let aborted: unknown;
    let next = 0;
    const worker = async () => {
      // Creates already sent in a batch are taken in even after a stop: their records exist.
      while (next < units.length && (aborted === undefined || units[next]!.batched)) {
        const unit = units[next++]!;
        try {
          await this.unit(flow, unit, pending);
        } catch (err) {
          aborted = err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, units.length) }, worker));
    // Creates journaled but never sent (the chunk stopped early) are closed, not left for recovery.
    for (const u of units)
      if (u.journal && !u.sent)
        pending.push({ changes: journalFailed(u.journal.id, 'not sent: the cycle stopped first') });
    if (pending.length > 0) await this.commit(flow, pending);
    if (aborted !== undefined) throw aborted;
  }

  private async unit(flow: FlowName, unit: Unit, pending: Pending[]): Promise<void> {
    const versions: Versions = {};
    for (const action of unit.actions) {
      // A journaled create not sent now is closed by the chunk (`sent` is still unset); one sent
      // in a batch is answered already, and is linked before the stop.
      const sentInBatch = action === unit.actions[0] && unit.batched !== undefined;
      if (this.ctx.signal?.aborted && !sentInBatch) throw new CycleAborted('stopped at a safe point');
      const ctx = this.effectContext(flow);
      try {
        const answer = await carryOut(this.deps, flow, action, unit, versions);
        this.failures.succeeded();
        const changes = effectsOf(ctx, action, answer);
        pending.push(
          action.kind === 'create' && answer?.kind === 'created'
            ? { changes, create: { action, answer } }
            : { changes },
        );
      } catch (err) {
        if (err instanceof CycleAborted) throw err;
        pending.push({ changes: this.failures.failed(ctx, action, unit, err) });
        return;
      }
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
}
