import type { Logger } from '../log/logger.ts';
import {
  customcrmValue,
  equalValues,
  toCustomcrmPatch,
  toYouTrackPatch,
  youtrackValue,
} from '../core/mapping.ts';
import type { StateStore } from '../store/types.ts';
import type { PropValue, SystemName } from '../core/types.ts';
import type { ConnectionRuntime } from './runtime.ts';
import type { StatsCollector } from './stats.ts';

/**
 * Carries out the choices a person made on conflicts. "Keep the winner" needs no write; "apply the
 * loser" writes the losing value to whichever side does not hold it and makes it the new base.
 */
export async function applyResolutions(
  rt: ConnectionRuntime,
  store: StateStore,
  logger: Logger,
  cycleId: number,
  stats: StatsCollector,
): Promise<number> {
  const pending = await store.pendingResolutions();
  for (const conflict of pending) {
    const link = await store.getLink(conflict.linkId);
    const row = link ? rt.mapping.flows[link.flow].rows.find((r) => r.name === conflict.property) : undefined;
    if (!link || !row || conflict.status === 'kept' || row.transform === 'reference') {
      await store.markResolutionApplied(conflict.id);
      continue;
    }
    const [yt, crm] = await Promise.all([
      rt.youtrack.read(link.ytType, link.ytId),
      rt.customcrm.read(link.crmType, link.crmId),
    ]);
    if (!yt || !crm) {
      logger.warn('conflict resolution skipped: a record no longer exists', { conflict: conflict.id });
      await store.markResolutionApplied(conflict.id);
      continue;
    }
    const value = conflict.loserValue;
    const now = new Date().toISOString();
    const history: Array<{ system: SystemName; recordId: string; oldValue: PropValue }> = [];
    if (!equalValues(row, youtrackValue(row, yt), value) && row.direction !== 'to-customcrm') {
      await rt.youtrack.update(link.ytType, link.ytId, toYouTrackPatch(row, value, yt.props));
      stats.add(link.flow, 'youtrack', 'updated');
      history.push({ system: 'youtrack', recordId: link.ytId, oldValue: youtrackValue(row, yt) });
    }
    if (!equalValues(row, customcrmValue(row, crm), value) && row.direction !== 'to-youtrack') {
      await rt.customcrm.update(
        link.crmType,
        link.crmId,
        toCustomcrmPatch(row, value),
        crm.version ? { ifMatch: crm.version } : {},
      );
      stats.add(link.flow, 'customcrm', 'updated');
      history.push({ system: 'customcrm', recordId: link.crmId, oldValue: customcrmValue(row, crm) });
    }
    await store.transaction(async (tx) => {
      await tx.updateLink(link.id, { base: { ...link.base, [row.name]: value } });
      await tx.addHistory(
        history.map((h) => ({
          at: now,
          cycleId,
          linkId: link.id,
          flow: link.flow,
          system: h.system,
          recordId: h.recordId,
          property: row.name,
          oldValue: h.oldValue,
          newValue: value,
          source: 'operator' as const,
          action: 'resolved' as const,
          note: 'a person chose the losing value of a conflict',
        })),
      );
      await tx.markResolutionApplied(conflict.id);
    });
  }
  return pending.length;
}
