import type { HistoryEntry, Link, StateStore } from '../store/types.ts';

/** Links matching a name, e-mail or id on either side, each with its per-field history, newest first. */
export async function recordHistory(
  store: StateStore,
  query: string,
  limit = 100,
): Promise<Array<{ link: Link; history: HistoryEntry[] }>> {
  const links = await store.searchLinks(query, 5);
  const out = [];
  for (const link of links) out.push({ link, history: await store.listHistory({ linkId: link.id, limit }) });
  return out;
}
