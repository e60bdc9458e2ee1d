import { ConnectorError } from '../connectors/types.ts';
import {
  emptyChanges,
  journalFailed,
  rejectEffects,
  type ChangeSet,
  type EffectContext,
} from '../core/effects.ts';
import type { PlanAction } from '../core/planner.ts';
import { other, recordTypeOf } from '../core/systems.ts';
import { noteRejected, type ActionDeps } from './actions.ts';
import type { Unit } from './units.ts';

/** Too many transient failures in a row: the other side is down; stop the cycle instead of hammering it. */
const MAX_CONSECUTIVE_TRANSIENT = 8;

export class CycleAborted extends Error {
  override readonly name = 'CycleAborted';
}

/** A failure another attempt may cure: the write is left for the next cycle (or for recovery). */
const isRetryable = (err: unknown) => err instanceof ConnectorError && err.retryable;

/**
 * What a failed remote write leaves behind. A stale version is planned again next cycle; a
 * retryable failure is retried next cycle (a create's journal entry stays pending: its fate is
 * unknown), and too many in a row stop the cycle; any other ConnectorError quarantines the record
 * it names. An error that is no ConnectorError is a bug: thrown.
 */
export class WriteFailures {
  private consecutiveTransient = 0;

  constructor(private readonly deps: ActionDeps) {}

  succeeded(): void {
    this.consecutiveTransient = 0;
  }

  failed(ctx: EffectContext, a: PlanAction, unit: Unit, err: unknown): ChangeSet {
    const { flow } = ctx;
    const target = 'target' in a ? a.target : 'system' in a ? a.system : 'customcrm';
    this.deps.stats.add(flow, target, 'errors');
    const out = emptyChanges();
    // A create that failed clearly is over; an ambiguous one stays pending for recovery.
    if (unit.journal && a.kind === 'create' && !isRetryable(err))
      out.journal.push(
        ...journalFailed(unit.journal.id, err instanceof Error ? err.message : String(err)).journal,
      );
    // Connectors let out only ConnectorErrors: anything else is a bug, and stops the cycle.
    if (!(err instanceof ConnectorError)) throw err;
    if (err.code === 'STALE') {
      this.deps.logger.info('record changed since it was read; it is planned again next cycle', {
        flow,
        record: err.info.record,
      });
      return out;
    }
    if (err.retryable) {
      this.consecutiveTransient++;
      this.deps.logger.warn('write failed; it is retried next cycle', {
        flow,
        code: err.code,
        message: err.message,
      });
      if (this.consecutiveTransient >= MAX_CONSECUTIVE_TRANSIENT)
        throw new CycleAborted(
          `${err.info.system} keeps failing (${err.code}); the cycle stops and is tried again later`,
        );
      return out;
    }
    const system = a.kind === 'create' ? other(a.target) : target;
    const recordId = a.kind === 'create' ? a.sourceId : 'id' in a ? a.id : undefined;
    const recordType = a.kind === 'create' ? recordTypeOf(flow, system) : 'type' in a ? a.type : undefined;
    if (recordId && recordType) {
      const reject = {
        system,
        recordType,
        recordId,
        code: err.code,
        property: err.info.property ?? null,
        reason: err.message,
      };
      noteRejected(this.deps, { ...reject, flow });
      out.quarantine.push(...rejectEffects(ctx, reject).quarantine);
      return out;
    }
    this.deps.logger.error('write rejected', {
      flow,
      code: err.code,
      status: err.info.status,
      message: err.message,
    });
    return out;
  }
}
