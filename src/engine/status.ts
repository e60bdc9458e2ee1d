import type { CycleRecord, StateStore } from '../store/types.ts';

export interface SyncStatus {
  links: Record<string, Record<string, number>>;
  conflicts: { open: number; pending: number };
  quarantine: { quarantined: number; retryRequested: number };
  lastCycle: CycleRecord | null;
}

/** The numbers `tandem status` and the dashboard's overview show. */
export async function collectStatus(store: StateStore): Promise<SyncStatus> {
  const links: SyncStatus['links'] = { organizations: {}, groups: {}, users: {} };
  for (const row of await store.countLinks()) (links[row.flow] ??= {})[row.status] = row.count;
  const [cycle] = await store.listCycles({ limit: 1 });
  return {
    links,
    conflicts: await store.countConflicts(),
    quarantine: await store.countQuarantine(),
    lastCycle: cycle ?? null,
  };
}
