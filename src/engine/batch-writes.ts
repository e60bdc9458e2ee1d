import type { Connector, CreateOptions, UpdateOptions } from '../connectors/types.ts';
import type { Props, RecordType, RemoteRecord } from '../core/types.ts';
import type { Failpoint } from './failpoints.ts';

/** Items per batch request at most, so a chunk's writes still go out as a few requests at once. */
export const BATCH_ITEMS = 32;

export interface BatchCreate {
  type: RecordType;
  props: Props;
  opts: CreateOptions;
  /** Called just before the item's batch goes out (the journal entry is then no longer "unsent"). */
  sending: () => void;
}

export interface BatchUpdate {
  type: RecordType;
  id: string;
  patch: Props;
  opts: UpdateOptions;
}

/** The answer of one item: its record, its own error (thrown), or undefined: write it on its own. */
export type BatchAnswer = Promise<RemoteRecord | undefined>;

interface Batching<T extends { type: RecordType }> {
  items: readonly T[];
  max: number;
  send: (type: RecordType, part: readonly T[]) => Promise<Array<RemoteRecord | Error> | undefined>;
  /** Before a batch goes out, for each of its items. */
  before: (item: T) => void;
  /** When a batch was answered. */
  after: () => void;
}

/**
 * Sends items in batch requests of one type each, in the items' order, all at once. Each item
 * gets a promise of its answer: its record, its own error, the request's error (every item of a
 * failed request shares it), or undefined when the connector turned out to have no batch writes.
 */
function inBatches<T extends { type: RecordType }>(b: Batching<T>): BatchAnswer[] {
  const answers: BatchAnswer[] = new Array(b.items.length);
  const byType = new Map<RecordType, number[]>();
  b.items.forEach((it, i) => byType.set(it.type, [...(byType.get(it.type) ?? []), i]));
  for (const [type, indexes] of byType)
    for (let s = 0; s < indexes.length; s += b.max) {
      const part = indexes.slice(s, s + b.max);
      for (const i of part) b.before(b.items[i]!);
      const sent = b
        .send(
          type,
          part.map((i) => b.items[i]!),
        )
        .then((results) => {
          b.after();
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

const batchMax = (connector: Connector) => Math.min(connector.batchSize?.() ?? 0, BATCH_ITEMS);

/**
 * Sends a chunk's creates in batch requests (issue 16) where the connector offers them. A failed
 * request leaves its items' journal entries pending, and recovery looks them up. Returns
 * undefined when the connector has no batch writes at all.
 */
export function sendBatches(
  connector: Connector,
  items: readonly BatchCreate[],
  failpoint: Failpoint,
): BatchAnswer[] | undefined {
  const max = batchMax(connector);
  if (max < 2 || items.length < 2 || !connector.createMany) return undefined;
  const createMany = connector.createMany.bind(connector);
  return inBatches({
    items,
    max,
    send: (type, part) =>
      createMany(
        type,
        part.map(({ props, opts }) => ({ props, opts })),
      ),
    before: (item) => {
      failpoint('before-create');
      item.sending();
    },
    after: () => failpoint('after-batch'),
  });
}

/**
 * Sends a chunk's updates in batch requests where the connector offers them, each item with its
 * own If-Match. An item whose record changed is its own STALE error; the others are written.
 */
export function sendUpdateBatches(
  connector: Connector,
  items: readonly BatchUpdate[],
): BatchAnswer[] | undefined {
  const max = batchMax(connector);
  if (max < 2 || items.length < 2 || !connector.updateMany) return undefined;
  const updateMany = connector.updateMany.bind(connector);
  return inBatches({
    items,
    max,
    send: (type, part) =>
      updateMany(
        type,
        part.map(({ id, patch, opts }) => ({ id, patch, opts })),
      ),
    before: () => undefined,
    after: () => undefined,
  });
}
