import type { CycleRecord, StateStore } from '../store/types.ts';

export interface SyncStatus {
  connection: string;
  links: Record<string, Record<string, number>>;
  conflicts: { open: number; pending: number };
  quarantine: { quarantined: number; retryRequested: number };
  /** Creates journaled and not yet confirmed: the next cycle recovers them. */
  pendingWrites: number;
  lastCycle: CycleRecord | null;
  /** The last cycle was stopped by the circuit breaker before any write. */
  breakerTripped: boolean;
}

/** What an operator has to look at: the last cycle failed, or the breaker held it back. */
export type Trouble = 'failed' | 'blocked';

/**
 * The cycle records the breaker's refusal as a failed cycle with no writes; its message is the
 * breaker's verdict, which always opens with these words (core/circuit-breaker.ts).
 */
const BREAKER_VERDICT = 'Stopped before writing:';

export function breakerTripped(cycle: CycleRecord | null): boolean {
  return cycle?.status === 'failed' && (cycle.message ?? '').startsWith(BREAKER_VERDICT);
}

export function troubleOf(status: Pick<SyncStatus, 'lastCycle' | 'breakerTripped'>): Trouble | null {
  if (status.breakerTripped) return 'blocked';
  return status.lastCycle?.status === 'failed' ? 'failed' : null;
}

/** The numbers `tandem status` and the dashboard show for the connection `store` is scoped to. */
export async function collectStatus(
  store: StateStore,
  lastCycles?: readonly CycleRecord[],
): Promise<SyncStatus> {
  const links: SyncStatus['links'] = { organizations: {}, groups: {}, users: {} };
  const [counts, conflicts, quarantine, writes, cycles] = await Promise.all([
    store.countLinks(),
    store.countConflicts(),
    store.countQuarantine(),
    store.pendingWrites(),
    lastCycles ?? store.lastCycles(),
  ]);
  for (const row of counts) (links[row.flow] ??= {})[row.status] = row.count;
  const lastCycle = cycles.find((c) => c.connection === store.connection) ?? null;
  return {
    connection: store.connection,
    links,
    conflicts,
    quarantine,
    pendingWrites: writes.length,
    lastCycle,
    breakerTripped: breakerTripped(lastCycle),
  };
}

/** The status of each named connection of one database, in the order given. */
export async function collectAllStatus(
  store: StateStore,
  connections: readonly string[],
): Promise<SyncStatus[]> {
  const cycles = await store.lastCycles();
  return Promise.all(connections.map((name) => collectStatus(store.forConnection(name), cycles)));
}
