import type { Logger } from '../log/logger.ts';
import { baseOfCreate } from '../core/plan-create.ts';
import type { RefResolver } from '../core/mapping.ts';
import type { Props, RemoteRecord } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import type { ConnectionRuntime } from './runtime.ts';
import { sourceTypeOf } from './executor.ts';
import { buildRefs } from './refs.ts';

export function labelOf(props: Props): string {
  const name =
    props['Name'] ??
    props['name'] ??
    props['fullName'] ??
    [props['FirstName'], props['LastName']].filter(Boolean).join(' ');
  const email = props['Email'] ?? props['email'];
  return [typeof name === 'string' ? name : '', typeof email === 'string' && email ? `<${email}>` : '']
    .filter(Boolean)
    .join(' ');
}

/** Lookups of interrupted creates in flight at once. */
const LOOKUPS = 8;

/**
 * What a process that died in a cycle of this connection left behind. Runs at the start of the
 * next cycle, under the connection's lock, so nothing else of the connection is in flight.
 *
 * Cycles still 'running' but the one that just started are closed as 'interrupted': otherwise
 * `tandem status`, history and the dashboard would show them as running forever.
 *
 * Creates that were sent but whose link was never recorded (the process died in between). Each is
 * looked up on the target by the external reference or natural key it was created with: found →
 * linked now, with the base of the values the create sent (`baseOfCreate`), so that an edit made
 * to either side since is merged like any other change; not found → the create never happened,
 * and the planner creates it again with a new journal entry.
 */
export async function recoverPendingWrites(
  rt: ConnectionRuntime,
  store: StateStore,
  logger: Logger,
): Promise<number> {
  for (const cycleId of await store.interruptStaleCycles()) {
    logger.warn('a cycle left running by a process that stopped is closed as interrupted', { cycleId });
  }
  let recovered = 0;
  let refs: RefResolver | undefined;
  const pending = await store.pendingWrites();
  // Looked up LOOKUPS at a time (issue 16: one by one, 64 lookups took 5 of 12 s of a restart);
  // linked one by one, in journal order.
  const results: Array<RemoteRecord | null> = [];
  for (let i = 0; i < pending.length; i += LOOKUPS)
    results.push(
      ...(await Promise.all(
        pending.slice(i, i + LOOKUPS).map((entry) =>
          (entry.targetSystem === 'youtrack' ? rt.youtrack : rt.customcrm).findCreated(
            entry.targetType,
            entry.payload,
            {
              System: entry.sourceSystem === 'youtrack' ? 'YouTrack' : 'Customcrm',
              Type: sourceTypeOf(entry.flow, entry.sourceSystem),
              Id: entry.sourceId,
            },
          ),
        ),
      )),
    );
  for (const [i, entry] of pending.entries()) {
    const sourceType = sourceTypeOf(entry.flow, entry.sourceSystem);
    const found = results[i] ?? null;
    if (found) refs ??= await buildRefs(store);
    await store.transaction(async (tx) => {
      if (found) {
        const [ytId, crmId] =
          entry.targetSystem === 'customcrm' ? [entry.sourceId, found.id] : [found.id, entry.sourceId];
        const existing = await tx.findLink({ flow: entry.flow, ytId });
        if (!existing) {
          await tx.insertLink({
            flow: entry.flow,
            ytType: entry.targetSystem === 'youtrack' ? entry.targetType : sourceType,
            ytId,
            crmType: entry.targetSystem === 'customcrm' ? entry.targetType : sourceType,
            crmId,
            origin: entry.targetSystem === 'customcrm' ? 'created-in-customcrm' : 'created-in-youtrack',
            status: 'active',
            base: baseOfCreate(rt.mapping.flows[entry.flow], entry.targetSystem, entry.payload, refs!),
            ytHash: null,
            crmHash: null,
            crmVersion: null,
            label: labelOf(entry.payload),
          });
        }
        recovered++;
      }
      await tx.completeWrite(
        entry.id,
        found
          ? { targetId: found.id, status: 'done' }
          : { status: 'failed', error: 'not found after restart' },
      );
    });
    logger.info(
      found
        ? 'interrupted create found and linked'
        : 'interrupted create had not happened; it is planned again',
      {
        flow: entry.flow,
        target: entry.targetSystem,
        source: entry.sourceId,
      },
    );
  }
  return recovered;
}
