import type { Connector } from '../connectors/types.ts';
import type { Answer, QuarantineRow, Versions } from '../core/effects.ts';
import { other, recordTypeOf, refTo } from '../core/systems.ts';
import type { PlanAction } from '../core/planner.ts';
import type { FlowName, SystemName } from '../core/types.ts';
import type { Logger } from '../log/logger.ts';
import type { JournalEntry } from '../store/types.ts';
import type { Failpoint } from './failpoints.ts';
import type { StatsCollector } from './stats.ts';
import type { CreateAction, Unit } from './units.ts';

/** What carrying out one action needs: the two systems and the cycle's bookkeeping. */
export interface ActionDeps {
  connectors: Record<SystemName, Connector>;
  stats: StatsCollector;
  logger: Logger;
  failpoint: Failpoint;
  /** Keys `system:type:id` of records rejected in this cycle. */
  rejected: Set<string>;
  /** Keys of the review items this cycle planned (open items not among them are over). */
  reviewed?: Set<string>;
}

/** The options of a create: the journal's key makes retries idempotent; the reference points back. */
export function createOptions(flow: FlowName, a: CreateAction, entry: JournalEntry) {
  const source = other(a.target);
  return {
    idempotencyKey: entry.key,
    externalRef: refTo(source, recordTypeOf(flow, source), a.sourceId),
  } as const;
}

/** Counts and logs a record kept out of the next cycles; its quarantine row is the commit's. */
export function noteRejected(deps: ActionDeps, q: QuarantineRow): void {
  deps.rejected.add(`${q.system}:${q.recordType}:${q.recordId}`);
  deps.stats.add(q.flow, q.system, 'errors');
  deps.logger.warn(`${q.system} ${q.recordType} ${q.recordId} quarantined: ${q.reason}`, {
    code: q.code,
    property: q.property,
    flow: q.flow,
  });
}

async function create(deps: ActionDeps, flow: FlowName, a: CreateAction, unit: Unit): Promise<Answer> {
  let record = unit.batched ? await unit.batched : undefined;
  if (!record) {
    deps.failpoint('before-create');
    unit.sent = true;
    record = await deps.connectors[a.target].create(a.type, a.props, createOptions(flow, a, unit.journal!));
  }
  deps.stats.add(flow, a.target, 'created');
  deps.failpoint('after-create');
  return { kind: 'created', record, journalId: unit.journal!.id };
}

/**
 * The remote part of one action (a write, or only a count and a log line) and its answer, which
 * `effectsOf` turns into the action's changes. `versions` gathers what the unit's writes answered,
 * for the unit's setBase.
 */
export async function carryOut(
  deps: ActionDeps,
  flow: FlowName,
  a: PlanAction,
  unit: Unit,
  versions: Versions,
): Promise<Answer> {
  const { stats, connectors } = deps;
  switch (a.kind) {
    case 'create':
      return create(deps, flow, a, unit);
    case 'update': {
      const batched = unit.batchedUpdate?.action === a ? await unit.batchedUpdate.answer : undefined;
      const after =
        batched ??
        (await connectors[a.target].update(a.type, a.id, a.patch, a.ifMatch ? { ifMatch: a.ifMatch } : {}));
      deps.failpoint('after-update');
      stats.add(flow, a.target, 'updated');
      if (a.target === 'customcrm') {
        if (after.version !== undefined) versions.crmVersion = after.version;
        versions.crmHash = after.hash;
      } else versions.ytHash = after.hash;
      return undefined;
    }
    case 'deactivate':
      await connectors[a.target].update(a.type, a.id, a.patch);
      stats.add(flow, a.target, 'updated');
      return undefined;
    case 'delete':
      await connectors[a.target].delete(a.type, a.id);
      stats.add(flow, a.target, 'deleted');
      return undefined;
    case 'setBase':
      return { kind: 'versions', versions: { ...versions } };
    case 'conflict':
      stats.add(flow, a.loser, 'conflicts');
      return undefined;
    case 'reject':
      noteRejected(deps, {
        system: a.system,
        recordType: a.type,
        recordId: a.id,
        flow,
        code: a.code,
        property: a.property,
        reason: a.reason,
      });
      return undefined;
    case 'report':
      deps.logger.warn(a.message, { code: a.code, system: a.system, ids: a.ids, flow });
      return undefined;
    case 'review':
      deps.reviewed?.add(a.key);
      deps.logger.warn(a.message, { code: a.code, flow, review: a.key });
      return undefined;
    case 'link':
    case 'markDeleted':
    case 'decided':
    case 'resolved':
      return undefined;
  }
}
