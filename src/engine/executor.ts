import { randomUUID } from 'node:crypto';
import { ConnectorError, type Connector } from '../connectors/types.ts';
import { HttpError } from '../http/errors.ts';
import type { Logger } from '../log/logger.ts';
import type { FlowPlan, PlanAction } from '../core/planner.ts';
import type { FlowName, Props, RecordType, SystemName } from '../core/types.ts';
import type { Link, NewHistoryEntry, StateStore } from '../store/types.ts';
import type { StatsCollector } from './stats.ts';
import { failpoint } from './failpoints.ts';

/** Too many transient failures in a row: the other side is down; stop the cycle instead of hammering it. */
const MAX_CONSECUTIVE_TRANSIENT = 8;

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
}

const other = (s: SystemName): SystemName => (s === 'youtrack' ? 'customcrm' : 'youtrack');
const pairKey = (ytId: string, crmId: string) => `${ytId}\u0000${crmId}`;

/**
 * Carries out one flow's plan. Every write is recorded in the store right after it succeeded, so a
 * crash loses at most the bookkeeping of the write in flight, and creates are journaled before they
 * are sent so that the next run finds the record instead of creating it twice.
 */
export class PlanExecutor {
  private consecutiveTransient = 0;

  constructor(private readonly ctx: ExecutorContext) {}

  async execute(plan: FlowPlan): Promise<void> {
    const linkIds = new Map<string, number>();
    /** Pairs whose write failed or went stale: their base must not advance this cycle. */
    const blocked = new Set<string>();
    const versions = new Map<string, { crmVersion?: string; ytHash?: string; crmHash?: string }>();

    for (const action of plan.actions) {
      if (this.ctx.signal?.aborted) throw new CycleAborted('stopped at a safe point');
      const key = 'ytId' in action && 'crmId' in action ? pairKey(action.ytId, action.crmId) : undefined;
      if (key && blocked.has(key)) continue;
      try {
        await this.run(plan.flow, action, linkIds, versions);
        this.consecutiveTransient = 0;
      } catch (err) {
        if (err instanceof CycleAborted) throw err;
        if (key) blocked.add(key);
        await this.failed(plan.flow, action, err);
      }
    }
  }

  private async run(
    flow: FlowName,
    a: PlanAction,
    linkIds: Map<string, number>,
    versions: Map<string, { crmVersion?: string; ytHash?: string; crmHash?: string }>,
  ): Promise<void> {
    const { store, stats } = this.ctx;
    switch (a.kind) {
      case 'create':
        return this.create(flow, a);
      case 'link': {
        const link = await store.transaction(async (tx) => {
          const l = await tx.insertLink(this.newLink(flow, a.ytId, a.crmId, 'merged', a.base, a.label));
          await tx.addHistory([
            this.history(flow, l.id, 'customcrm', a.crmId, 'linked', null, null, a.label, 'youtrack'),
          ]);
          return l;
        });
        linkIds.set(pairKey(a.ytId, a.crmId), link.id);
        return;
      }
      case 'update': {
        const after = await this.ctx.connectors[a.target].update(
          a.type,
          a.id,
          a.patch,
          a.ifMatch ? { ifMatch: a.ifMatch } : {},
        );
        failpoint('after-update');
        stats.add(flow, a.target, 'updated');
        const v = versions.get(pairKey(a.ytId, a.crmId)) ?? {};
        if (a.target === 'customcrm') {
          if (after.version !== undefined) v.crmVersion = after.version;
          v.crmHash = after.hash;
        } else v.ytHash = after.hash;
        versions.set(pairKey(a.ytId, a.crmId), v);
        const linkId = a.linkId ?? linkIds.get(pairKey(a.ytId, a.crmId)) ?? null;
        await store.addHistory(
          a.changes.map((c) =>
            this.history(flow, linkId, a.target, a.id, 'updated', c.row, c.from, c.to, other(a.target)),
          ),
        );
        return;
      }
      case 'setBase': {
        const linkId = a.linkId ?? linkIds.get(pairKey(a.ytId, a.crmId));
        if (linkId === undefined) return;
        const v = versions.get(pairKey(a.ytId, a.crmId)) ?? {};
        await store.updateLink(linkId, {
          base: a.base,
          ...(v.crmVersion !== undefined ? { crmVersion: v.crmVersion } : {}),
          ...(v.ytHash !== undefined ? { ytHash: v.ytHash } : {}),
          ...(v.crmHash !== undefined ? { crmHash: v.crmHash } : {}),
        });
        return;
      }
      case 'conflict': {
        const linkId = a.linkId ?? linkIds.get(pairKey(a.ytId, a.crmId));
        if (linkId === undefined) return;
        stats.add(flow, a.loser, 'conflicts');
        await store.transaction(async (tx) => {
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
      }
      case 'markDeleted': {
        const link = await store.getLink(a.linkId);
        if (!link) return;
        const status = markStatus(link.status, a.side);
        await store.transaction(async (tx) => {
          await tx.updateLink(a.linkId, { status });
          await tx.addHistory([
            this.history(
              flow,
              a.linkId,
              a.side,
              a.side === 'youtrack' ? link.ytId : link.crmId,
              'deleted',
              null,
              null,
              null,
              a.side,
              'deleted; counterpart kept',
            ),
          ]);
        });
        return;
      }
      case 'delete':
      case 'deactivate': {
        const link = await store.getLink(a.linkId);
        if (a.kind === 'delete') await this.ctx.connectors[a.target].delete(a.type, a.id);
        else await this.ctx.connectors.customcrm.update(a.type, a.id, { Active: false });
        stats.add(flow, a.target, a.kind === 'delete' ? 'deleted' : 'updated');
        const status =
          link?.status === 'youtrack-deleted' || link?.status === 'customcrm-deleted'
            ? 'both-deleted'
            : markStatus(link?.status ?? 'active', other(a.target));
        await store.transaction(async (tx) => {
          await tx.updateLink(a.linkId, { status: a.kind === 'delete' ? 'both-deleted' : status });
          await tx.addHistory([
            this.history(
              flow,
              a.linkId,
              a.target,
              a.id,
              a.kind === 'delete' ? 'deleted' : 'updated',
              a.kind === 'delete' ? null : 'Active',
              null,
              a.kind === 'delete' ? null : false,
              other(a.target),
            ),
          ]);
        });
        return;
      }
      case 'reject':
        return this.reject(flow, a.system, a.type, a.id, a.code, a.property, a.reason);
      case 'report':
        this.ctx.logger.warn(a.message, { code: a.code, system: a.system, ids: a.ids, flow });
        return;
    }
  }

  private async create(flow: FlowName, a: Extract<PlanAction, { kind: 'create' }>): Promise<void> {
    const { store } = this.ctx;
    const source = other(a.target);
    const entry = await store.beginWrite({
      key: randomUUID(),
      flow,
      op: 'create',
      targetSystem: a.target,
      targetType: a.type,
      sourceSystem: source,
      sourceId: a.sourceId,
      payload: a.props,
    });
    const sourceType = sourceTypeOf(flow, source);
    const created = await this.ctx.connectors[a.target].create(a.type, a.props, {
      idempotencyKey: entry.key,
      externalRef: {
        System: source === 'youtrack' ? 'YouTrack' : 'Customcrm',
        Type: sourceType,
        Id: a.sourceId,
      },
    });
    this.ctx.stats.add(flow, a.target, 'created');
    failpoint('after-create');
    const [ytId, crmId] = a.target === 'customcrm' ? [a.sourceId, created.id] : [created.id, a.sourceId];
    await store.transaction(async (tx) => {
      const link = await tx.insertLink({
        ...this.newLink(
          flow,
          ytId,
          crmId,
          a.target === 'customcrm' ? 'created-in-customcrm' : 'created-in-youtrack',
          a.base,
          a.label,
        ),
        ...(a.target === 'customcrm'
          ? { crmHash: created.hash, crmVersion: created.version ?? null }
          : { ytHash: created.hash }),
      });
      await tx.completeWrite(entry.id, { targetId: created.id, status: 'done' });
      await tx.addHistory([
        this.history(flow, link.id, a.target, created.id, 'created', null, null, a.label, source),
      ]);
    });
  }

  private async failed(flow: FlowName, a: PlanAction, err: unknown): Promise<void> {
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
      const sourceId = 'sourceId' in a ? a.sourceId : 'id' in a ? a.id : undefined;
      const sourceSystem = a.kind === 'create' ? other(a.target) : target;
      const type = (
        a.kind === 'create' ? sourceTypeOf(flow, sourceSystem) : 'type' in a ? a.type : undefined
      ) as RecordType | undefined;
      if (sourceId && type) {
        await this.reject(
          flow,
          sourceSystem,
          type,
          sourceId,
          err.code,
          err.info.property ?? null,
          err.message,
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

  private async reject(
    flow: FlowName,
    system: SystemName,
    type: RecordType,
    id: string,
    code: string,
    property: string | null,
    reason: string,
  ): Promise<void> {
    this.ctx.rejected.add(`${system}:${type}:${id}`);
    this.ctx.stats.add(flow, system, 'errors');
    this.ctx.logger.warn(`${system} ${type} ${id} quarantined: ${reason}`, { code, property, flow });
    await this.ctx.store.quarantine({ system, recordType: type, recordId: id, flow, code, property, reason });
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
  const other: Link['status'] = side === 'youtrack' ? 'customcrm-deleted' : 'youtrack-deleted';
  if (current === other || current === 'both-deleted') return 'both-deleted';
  return side === 'youtrack' ? 'youtrack-deleted' : 'customcrm-deleted';
}

export function sourceTypeOf(flow: FlowName, system: SystemName): RecordType {
  if (system === 'customcrm') return flow === 'users' ? 'Contact' : 'Customer';
  return flow === 'users' ? 'User' : flow === 'groups' ? 'Group' : 'Organization';
}
