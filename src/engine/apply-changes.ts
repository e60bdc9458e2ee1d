import {
  createdPair,
  emptyChanges,
  statusAfterDelete,
  takenEffects,
  type ChangeSet,
  type EffectContext,
  type LinkRef,
  type QuarantineRow,
} from '../core/effects.ts';
import type { FlowName } from '../core/types.ts';
import type { StateStore } from '../store/types.ts';
import type { Pending } from './units.ts';

interface Pair {
  ytId: string;
  crmId: string;
}

const pairKey = (p: Pair) => `${p.ytId}\u0000${p.crmId}`;

/**
 * The pairs that already hold records in this chunk's commit: the stored links of the records the
 * chunk's creates were answered with (looked up once per chunk, not twice per create), the pairs
 * the chunk merges, and the links it makes as it goes.
 */
class ChunkLinks {
  private readonly byYt = new Map<string, Pair>();
  private readonly byCrm = new Map<string, Pair>();

  static async load(tx: StateStore, flow: FlowName, created: readonly Pair[], merged: readonly Pair[]) {
    const links = new ChunkLinks();
    if (created.length > 0)
      for (const l of await tx.findLinks({
        flow,
        ytIds: created.map((c) => c.ytId),
        crmIds: created.map((c) => c.crmId),
      }))
        links.add(l);
    for (const p of merged) links.add(p);
    return links;
  }

  holding(p: Pair): Pair | undefined {
    return this.byYt.get(p.ytId) ?? this.byCrm.get(p.crmId);
  }

  add(p: Pair): void {
    this.byYt.set(p.ytId, p);
    this.byCrm.set(p.crmId, p);
  }
}

function merge(sets: readonly ChangeSet[]): ChangeSet {
  const all = emptyChanges();
  for (const s of sets)
    for (const key of Object.keys(all) as Array<keyof ChangeSet>) (all[key] as unknown[]).push(...s[key]);
  return all;
}

/**
 * A create answered with a record another link already holds (found again after an ambiguous
 * answer, or merged by this very chunk) is not linked; its changes become `takenEffects`.
 */
async function settleCreates(
  tx: StateStore,
  ctx: EffectContext,
  items: readonly Pending[],
  onQuarantine: (row: QuarantineRow) => void,
): Promise<ChangeSet[]> {
  const created = items.flatMap((p) =>
    p.create ? [createdPair(p.create.action, p.create.answer.record)] : [],
  );
  const merged = items.flatMap((p) => (p.create ? [] : p.changes.links.map((l) => l.row)));
  if (created.length === 0) return items.map((p) => p.changes);
  const links = await ChunkLinks.load(tx, ctx.flow, created, merged);
  return items.map((p) => {
    if (!p.create) return p.changes;
    const pair = createdPair(p.create.action, p.create.answer.record);
    const by = links.holding(pair);
    if (!by) {
      links.add(pair);
      return p.changes;
    }
    const taken = takenEffects(ctx, p.create.action, p.create.answer, by);
    taken.quarantine.forEach(onQuarantine);
    return taken;
  });
}

/**
 * Writes a chunk's change sets in the store, a statement per kind of row where the store has one
 * (links, history, journal), so a chunk costs a few round trips, not a few per action. Call it
 * inside the chunk's transaction. Rows that refer to a pair linked in this chunk get its new id.
 */
export async function applyChanges(
  tx: StateStore,
  ctx: EffectContext,
  items: readonly Pending[],
  onQuarantine: (row: QuarantineRow) => void,
): Promise<void> {
  const all = merge(await settleCreates(tx, ctx, items, onQuarantine));
  const inserted = all.links.length > 0 ? await tx.insertLinks(all.links.map((l) => l.row)) : [];
  const ids = new Map(inserted.map((l) => [pairKey(l), l.id]));
  const idOf = (ref: LinkRef) => ref.linkId ?? ids.get(pairKey(ref));
  for (const { link, patch } of all.linkPatches) {
    const id = idOf(link);
    if (id !== undefined) await tx.updateLink(id, patch);
  }
  for (const { linkId, side } of all.deleted) {
    const link = await tx.getLink(linkId);
    if (link) await tx.updateLink(linkId, { status: statusAfterDelete(link.status, side) });
  }
  if (all.history.length > 0)
    await tx.addHistory(
      all.history.map(({ link, ...row }) => ({ ...row, linkId: link ? (idOf(link) ?? null) : null })),
    );
  for (const { link, ...conflict } of all.conflicts) {
    const linkId = idOf(link);
    if (linkId !== undefined) await tx.addConflict({ ...conflict, linkId });
  }
  for (const q of all.quarantine) await tx.quarantine(q);
  if (all.journal.length > 0) await tx.completeWrites(all.journal);
  for (const item of all.reviews) await tx.upsertReviewItem(item);
  for (const id of all.closedReviews) await tx.closeReviewItem(id);
  for (const id of all.resolutionsApplied) await tx.markResolutionApplied(id);
}
