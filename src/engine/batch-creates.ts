import type { Connector, CreateOptions } from '../connectors/types.ts';
import type { Props, RecordType, RemoteRecord } from '../core/types.ts';
import type { Failpoint } from './failpoints.ts';

/** Items per batch request at most, so a chunk's creates still go out as a few requests at once. */
export const BATCH_ITEMS = 32;

export interface BatchCreate {
  type: RecordType;
  props: Props;
  opts: CreateOptions;
  /** Called just before the item's batch goes out (the journal entry is then no longer "unsent"). */
  sending: () => void;
}

/**
 * Sends a chunk's creates in batch requests (issue 16) where the connector offers them, all
 * batches of the chunk at once. Each item gets a promise of its answer: its record, its own
 * error, the request's error (every item of a failed request shares it; their journal entries
 * stay pending and recovery looks them up), or undefined when the connector turned out to have
 * no batch writes (the item is then created on its own). Returns undefined when the connector
 * has no batch writes at all.
 */
export function sendBatches(
  connector: Connector,
  items: readonly BatchCreate[],
  failpoint: Failpoint,
): Array<Promise<RemoteRecord | undefined>> | undefined {
  const max = Math.min(connector.batchSize?.() ?? 0, BATCH_ITEMS);
  if (max < 2 || items.length < 2 || !connector.createMany) return undefined;
  const createMany = connector.createMany.bind(connector);
  const answers: Array<Promise<RemoteRecord | undefined>> = new Array(items.length);
  // Batches hold one type each, in the items' order.
  const byType = new Map<RecordType, number[]>();
  items.forEach((it, i) => byType.set(it.type, [...(byType.get(it.type) ?? []), i]));
  for (const [type, indexes] of byType)
    for (let s = 0; s < indexes.length; s += max) {
      const part = indexes.slice(s, s + max);
      for (const i of part) {
        failpoint('before-create');
        items[i]!.sending();
      }
      const sent = createMany(
        type,
        part.map((i) => ({ props: items[i]!.props, opts: items[i]!.opts })),
      ).then((results) => {
        failpoint('after-batch');
        return results;
      });
      part.forEach((i, k) => {
        answers[i] = sent.then((results) => {
          const r = results?.[k];
          if (r instanceof Error) throw r;
          return r;
        });
        // A chunk that stops early never awaits some answers: they must not be unhandled.
        answers[i].catch(() => undefined);
      });
    }
  return answers;
}
