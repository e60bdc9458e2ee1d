import { ConnectorError } from '../connectors/types.ts';
import type { Logger } from '../log/logger.ts';
import { baseOfCreate } from '../core/plan-create.ts';
import type { RefResolver } from '../core/mapping.ts';
import type { Props, RemoteRecord } from '../core/types.ts';
import type { JournalEntry, StateStore } from '../store/types.ts';
import type { ConnectionRuntime } from './runtime.ts';
import { sourceTypeOf } from '../core/effects.ts';
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

/** Where to point a user whose recovery cannot go on by itself. */
export const RECOVER_HINT =
  'run `tandem recover --list` to see the interrupted writes and `tandem recover --drop ID` to give one up (see docs/customcrm-connector.md, "Recovery")';

async function heldByOther(store: StateStore, entry: JournalEntry, targetId: string): Promise<boolean> {
  const holder = await store.findLink(
    entry.targetSystem === 'customcrm'
      ? { flow: entry.flow, crmId: targetId }
      : { flow: entry.flow, ytId: targetId },
  );
  return (
    holder !== null && (entry.targetSystem === 'customcrm' ? holder.ytId : holder.crmId) !== entry.sourceId
  );
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
 * looked up on the target (Customcrm: reference property, then external references, or where the
 * CRM has neither, the natural key, which must be unique): found → linked now, with the base of
 * the values the create sent (`baseOfCreate`), so that an edit made to either side since is
 * merged like any other change; not found → the create never happened, and the planner creates it
 * again with a new journal entry.
 *
 * No entry can jam the connection: a found record that is already linked to another record is
 * never linked twice, and a lookup that finds several candidates links none; in both cases the
 * source record is quarantined with a message saying what to do, and the entry is closed.
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
  // each lookup's failure is kept with its entry, and the entries are linked one by one, in journal order.
  // A candidate already linked to another record is never this entry's (a twin sharing an e-mail).
  const lookUp = (entry: JournalEntry): Promise<{ found: RemoteRecord | null } | { error: unknown }> =>
    (entry.targetSystem === 'youtrack' ? rt.youtrack : rt.customcrm)
      .findCreated(
        entry.targetType,
        entry.payload,
        {
          System: entry.sourceSystem === 'youtrack' ? 'YouTrack' : 'Customcrm',
          Type: sourceTypeOf(entry.flow, entry.sourceSystem),
          Id: entry.sourceId,
        },
        {
          taken: (id) => heldByOther(store, entry, id),
        },
      )
      .then(
        (found) => ({ found }),
        (error: unknown) => ({ error }),
      );
  const lookups: Array<{ found: RemoteRecord | null } | { error: unknown }> = [];
  for (let i = 0; i < pending.length; i += LOOKUPS)
    lookups.push(...(await Promise.all(pending.slice(i, i + LOOKUPS).map(lookUp))));
  for (const [i, entry] of pending.entries()) {
    const sourceType = sourceTypeOf(entry.flow, entry.sourceSystem);
    const quarantine = async (code: string, reason: string): Promise<void> => {
      logger.warn(`interrupted create not linked: ${reason}`, { flow: entry.flow, entry: entry.id, code });
      await store.transaction(async (tx) => {
        await tx.quarantine({
          system: entry.sourceSystem,
          recordType: sourceType,
          recordId: entry.sourceId,
          flow: entry.flow,
          code,
          property: null,
          reason,
        });
        await tx.completeWrite(entry.id, { status: 'failed', error: reason });
      });
    };
    let lookup = lookups[i]!;
    // Looked up in parallel, two entries may have found one record; the one linked first keeps
    // it, the other looks again now that the link exists (and is then never given it).
    if ('found' in lookup && lookup.found && (await heldByOther(store, entry, lookup.found.id)))
      lookup = await lookUp(entry);
    if ('error' in lookup) {
      const err = lookup.error;
      if (err instanceof ConnectorError && err.code === 'DUPLICATE') {
        await quarantine(
          'AMBIGUOUS_RECOVERY',
          `${err.message} The create of ${entry.sourceSystem} ${sourceType} ${entry.sourceId} (${labelOf(entry.payload)}) was interrupted; once the duplicates are resolved, retry the quarantined record.`,
        );
        continue;
      }
      // Left pending: the next cycle looks again. Say how to get out if it never succeeds.
      throw new ConnectorError(
        err instanceof ConnectorError ? err.code : 'UNAVAILABLE',
        `Recovery of interrupted write ${entry.id} (${entry.targetSystem} ${entry.targetType} for ${labelOf(entry.payload) || entry.sourceId}) failed: ${err instanceof Error ? err.message : String(err)}. If this repeats, ${RECOVER_HINT}.`,
        { system: entry.targetSystem, type: entry.targetType, cause: err },
      );
    }
    const found = lookup.found;
    if (found) {
      const [ytId, crmId] =
        entry.targetSystem === 'customcrm' ? [entry.sourceId, found.id] : [found.id, entry.sourceId];
      const holder = await store.findLink(
        entry.targetSystem === 'customcrm' ? { flow: entry.flow, crmId } : { flow: entry.flow, ytId },
      );
      if (holder && (holder.ytId !== ytId || holder.crmId !== crmId)) {
        const [mine, theirs] =
          entry.targetSystem === 'customcrm'
            ? [`YouTrack ${holder.ytType} ${holder.ytId}`, `Customcrm ${found.type} ${found.id}`]
            : [`Customcrm ${holder.crmType} ${holder.crmId}`, `YouTrack ${found.type} ${found.id}`];
        await quarantine(
          'ALREADY_LINKED',
          `the interrupted create of ${entry.sourceSystem} ${sourceType} ${entry.sourceId} (${labelOf(entry.payload)}) looked for its record and found ${theirs}, which is already linked to ${mine}; it is not linked twice. If the two records are one person or company, merge them at the source; otherwise retry the quarantined record and Tandem creates its own counterpart.`,
        );
        continue;
      }
    }
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
