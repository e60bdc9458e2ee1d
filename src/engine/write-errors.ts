import { ConnectorError } from '../connectors/types.ts';
import {
  emptyChanges,
  journalFailed,
  otherSystem,
  rejectEffects,
  sourceTypeOf,
  type ChangeSet,
  type EffectContext,
} from '../core/effects.ts';
import type { PlanAction } from '../core/planner.ts';
import { HttpError } from '../http/errors.ts';
import { noteRejected, type ActionDeps } from './actions.ts';
import type { Unit } from './units.ts';

/** Too many transient failures in a row: the other side is down; stop the cycle instead of hammering it. */
const MAX_CONSECUTIVE_TRANSIENT = 8;

export class CycleAborted extends Error {
  override readonly name = 'CycleAborted';
}

/** A failure another attempt may cure: the write is left for the next cycle (or for recovery). */
const isTransient = (err: unknown) => err instanceof HttpError && err.transient;

/**
 * What a failed remote write leaves behind. A record refused for a reason a person can fix is
 * quarantined; a stale version is planned again next cycle; a transient failure is retried next
 * cycle, and too many in a row stop the cycle. A failure that is no remote answer is a bug: thrown.
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
    if (unit.journal && a.kind === 'create' && !isTransient(err))
      out.journal.push(
        ...journalFailed(unit.journal.id, err instanceof Error ? err.message : String(err)).journal,
      );
    if (err instanceof ConnectorError) {
      if (err.code === 'STALE') {
        this.deps.logger.info('record changed since it was read; it is planned again next cycle', {
          flow,
          record: err.info.record,
        });
        return out;
      }
      const system = a.kind === 'create' ? otherSystem(a.target) : target;
      const recordId = a.kind === 'create' ? a.sourceId : 'id' in a ? a.id : undefined;
      const recordType = a.kind === 'create' ? sourceTypeOf(flow, system) : 'type' in a ? a.type : undefined;
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
    }
    if (err instanceof HttpError && err.transient) {
      this.consecutiveTransient++;
      this.deps.logger.warn('write failed; it is retried next cycle', {
        flow,
        code: err.code,
        message: err.message,
      });
      if (this.consecutiveTransient >= MAX_CONSECUTIVE_TRANSIENT)
        throw new CycleAborted(
          `${err.details.system} keeps failing (${err.code}); the cycle stops and is tried again later`,
        );
      return out;
    }
    if (err instanceof HttpError) {
      this.deps.logger.error('write rejected', {
        flow,
        code: err.code,
        status: err.status,
        message: err.message,
      });
      return out;
    }
    throw err;
  }
}
