import { randomUUID } from 'node:crypto';
import type { Connector } from '../src/connectors/types.ts';
import type { Props, RemoteRecord } from '../src/core/types.ts';

/**
 * The limit: only the HTTP work a first sync cannot avoid. The same page reads as Tandem's full
 * read (through the same connectors, so the same requests, page sizes and rate limiter) and one
 * create per record with the same payload shape, 8 in flight like Tandem's executor
 * (src/engine/executor.ts CONCURRENCY). No store, no mapping configuration, no planning, no
 * journal: what is left is the floor any implementation on these APIs would pay.
 */
const CONCURRENCY = 8;

export interface LimitResult {
  created: number;
}

/** Runs `work` for every item, `CONCURRENCY` at a time, reading the items as they are needed. */
async function pool<T>(
  items: AsyncIterable<T> | Iterable<T>,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const it = (Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]()) as
    AsyncIterator<T> | Iterator<T>;
  let pulling: Promise<unknown> = Promise.resolve();
  const next = async (): Promise<IteratorResult<T>> => {
    // Pulls are serialized: an async generator must not be asked for two items at once.
    const p = pulling.then(() => it.next());
    pulling = p.catch(() => undefined);
    return p;
  };
  const worker = async () => {
    for (let r = await next(); !r.done; r = await next()) await work(r.value);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function splitName(full: string): { FirstName: string; LastName: string } {
  const i = full.trim().indexOf(' ');
  return i < 0
    ? { FirstName: '', LastName: full.trim() }
    : { FirstName: full.slice(0, i), LastName: full.slice(i + 1).trim() };
}

export async function runLimit(youtrack: Connector, customcrm: Connector): Promise<LimitResult> {
  let created = 0;
  const customerOf = new Map<string, string>();
  const create = async (type: 'Customer' | 'Contact', props: Props, source: RemoteRecord) => {
    const rec = await customcrm.create(type, props, {
      idempotencyKey: randomUUID(),
      externalRef: { System: 'YouTrack', Type: source.type, Id: source.id },
    });
    created++;
    return rec;
  };
  const customer = async (r: RemoteRecord) => {
    const rec = await create(
      'Customer',
      { Name: r.props['name'] ?? r.id, Description: r.props['description'] ?? '' },
      r,
    );
    customerOf.set(r.id, rec.id);
  };
  const orgs: RemoteRecord[] = [];
  for await (const r of youtrack.readAll('Organization')) orgs.push(r);
  const groups: RemoteRecord[] = [];
  for await (const r of youtrack.readAll('Group')) if (r.props['kind'] === 'regular') groups.push(r);
  // Tandem reads both sides before it writes: an empty Customcrm still costs its page reads.
  for await (const _ of customcrm.readAll('Customer'));
  for await (const _ of customcrm.readAll('Contact'));
  await pool(orgs, customer);
  await pool(groups, customer);
  await pool(youtrack.readAll('User'), async (u) => {
    const ids = [
      ...((u.props['organizations'] as string[]) ?? []),
      ...((u.props['groups'] as string[]) ?? []),
    ];
    const company = ids.map((id) => customerOf.get(id)).find((c) => c !== undefined);
    await create(
      'Contact',
      {
        ...splitName(String(u.props['fullName'] ?? '')),
        ...(u.props['email'] ? { Email: u.props['email'] } : {}),
        Username: u.props['login'] ?? null,
        Active: u.props['banned'] !== true,
        ...(company ? { CustomerId: company } : {}),
      },
      u,
    );
  });
  return { created };
}
