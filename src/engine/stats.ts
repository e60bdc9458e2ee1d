import type { FlowName, SystemName } from '../core/types.ts';
import type { CycleResult, FlowSystemCounts } from '../store/types.ts';

export type CycleStats = CycleResult['stats'];
export type Counter = keyof FlowSystemCounts;

const zero = (): FlowSystemCounts => ({
  read: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  conflicts: 0,
  errors: 0,
});

/** Per flow and per system counts of one cycle, in the shape `tandem sync --json` prints. */
export class StatsCollector {
  readonly stats: Record<FlowName, Record<SystemName, FlowSystemCounts>> = {
    organizations: { youtrack: zero(), customcrm: zero() },
    groups: { youtrack: zero(), customcrm: zero() },
    users: { youtrack: zero(), customcrm: zero() },
  };

  add(flow: FlowName, system: SystemName, counter: Counter, by = 1): void {
    this.stats[flow][system][counter] += by;
  }

  /** API writes on both sides: creates, updates and deletes. */
  get writes(): number {
    let n = 0;
    for (const flow of Object.values(this.stats))
      for (const c of Object.values(flow)) n += c.created + c.updated + c.deleted;
    return n;
  }
}
