import type { HistoryEntry, Link, StateStore } from '../store/types.ts';

export interface RecordHistory {
  connection: string;
  link: Link;
  history: HistoryEntry[];
}

/** Links matching a name, e-mail or id on either side, each with its per-field history, newest first. */
export async function recordHistory(store: StateStore, query: string, limit = 100): Promise<RecordHistory[]> {
  const links = await store.searchLinks(query, 5);
  const out = [];
  for (const link of links)
    out.push({
      connection: store.connection,
      link,
      history: await store.listHistory({ linkId: link.id, limit }),
    });
  return out;
}

/**
 * The same search in each named connection, in the order given: a person may be a contact at
 * several companies, and whoever asks may not know which connection holds them.
 */
export async function recordHistoryAll(
  store: StateStore,
  connections: readonly string[],
  query: string,
  limit = 100,
): Promise<RecordHistory[]> {
  const found = [];
  for (const name of connections)
    found.push(...(await recordHistory(store.forConnection(name), query, limit)));
  return found;
}
