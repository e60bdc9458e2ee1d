import type { RecordType, SystemName } from '../core/types.ts';
import type { QuarantineEntry, StateStore } from '../store/types.ts';
import type { Metrics } from './metrics.ts';
import type { CycleInput } from './read.ts';
import { FLOW_ORDER } from './runtime.ts';
import type { StatsCollector } from './stats.ts';

/** The bookkeeping around a cycle (`runCycle`): review items, quarantine releases, metrics. */

/** Open review items a complete cycle did not plan again are over (someone fixed the data). */
export async function closeStaleReviews(store: StateStore, reviewed: ReadonlySet<string>): Promise<void> {
  for (const item of await store.listReviewItems({ status: 'open' }))
    if (!reviewed.has(item.key)) await store.closeReviewItem(item.id);
}

export interface QuarantineKey {
  system: SystemName;
  recordType: RecordType;
  recordId: string;
}

export const quarantineKey = (q: QuarantineEntry): QuarantineKey => ({
  system: q.system,
  recordType: q.recordType as RecordType,
  recordId: q.recordId,
});

/** Quarantined records this cycle read again: released after the writes unless rejected again. */
export function quarantinedAndRead(
  quarantined: readonly QuarantineEntry[],
  input: CycleInput,
): QuarantineKey[] {
  if (quarantined.length === 0) return [];
  const seen = new Set<string>();
  for (const flow of FLOW_ORDER) {
    for (const r of input.youtrack[flow]) seen.add(`youtrack:${r.type}:${r.id}`);
    for (const r of input.customcrm[flow]) seen.add(`customcrm:${r.type}:${r.id}`);
  }
  const packed = input.linkedContacts;
  return quarantined
    .filter(
      (q) =>
        seen.has(`${q.system}:${q.recordType}:${q.recordId}`) ||
        (q.system === 'customcrm' && q.recordType === 'Contact' && packed?.has(q.recordId) === true),
    )
    .map(quarantineKey);
}

export async function releaseRecovered(
  store: StateStore,
  recovered: readonly QuarantineKey[],
  rejected: Set<string>,
): Promise<void> {
  for (const q of recovered)
    if (!rejected.has(`${q.system}:${q.recordType}:${q.recordId}`)) await store.releaseQuarantine(q);
}

export function observe(
  metrics: Metrics | undefined,
  connection: string,
  status: string,
  ms: number,
  stats: StatsCollector,
  now: number,
): void {
  if (!metrics) return;
  metrics.inc('tandem_cycles_total', 'Sync cycles by outcome', { connection, status });
  metrics.inc('tandem_cycle_seconds_sum', 'Total time spent in cycles', { connection }, ms / 1000);
  for (const [flow, systems] of Object.entries(stats.stats))
    for (const [system, c] of Object.entries(systems)) {
      const labels = { connection, flow, system };
      metrics.inc('tandem_records_read_total', 'Records read per flow and system', labels, c.read);
      metrics.inc(
        'tandem_records_written_total',
        'Records written per flow and system',
        labels,
        c.created + c.updated + c.deleted,
      );
      metrics.inc('tandem_conflicts_total', 'Conflicts per flow', labels, c.conflicts);
    }
  if (status === 'ok')
    metrics.set(
      'tandem_last_success_timestamp_seconds',
      'End of the last successful cycle',
      { connection },
      now / 1000,
    );
}
