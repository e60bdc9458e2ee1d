import type { RecordChange, RecordType, RemoteRecord, YouTrackType } from '../../core/types.ts';
import { HttpError } from '../../http/errors.ts';
import type { ChangeBatch } from '../types.ts';
import type { Ctx } from './context.ts';
import { interpretEvents, laterId } from './events.ts';
import { HUB, fields } from './wire.ts';
import { z } from 'zod';

/** Events read per batch when the log comes oldest first; the rest waits for the next call. */
const MAX_EVENTS = 5_000;
const envelope = z.looseObject({ events: z.array(z.unknown()).optional(), total: z.number().optional() });

export interface ChangeDeps {
  read: (type: RecordType, id: string) => Promise<RemoteRecord | null>;
  readAll: (type: YouTrackType, signal?: AbortSignal) => AsyncIterable<RemoteRecord>;
}

/**
 * Reads Hub's audit log after the watermark (the last event id processed). Without a
 * watermark it starts now: it returns the current last id and no changes. Every upsert comes
 * with the record as it is now (one read per changed record), and a record that no longer
 * exists becomes a delete, whatever the event said. Events only say what to read again: one
 * that cannot be interpreted makes the type it may concern come from a full read instead, with
 * one warning. A log that cannot be read at all (400, 403, 404, a page of another shape)
 * answers `complete: false`, and the engine falls back to a full read.
 */
export async function changesSince(
  ctx: Ctx,
  watermark: string | undefined,
  deps: ChangeDeps,
  signal?: AbortSignal,
): Promise<ChangeBatch> {
  let events: unknown[];
  let last: string;
  try {
    if (watermark === undefined)
      return { changes: [], watermark: await lastEventId(ctx, signal), complete: true };
    ({ events, last } = await eventsAfter(ctx, watermark, signal));
  } catch (err) {
    if (
      err instanceof HttpError &&
      ['FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST', 'BAD_RESPONSE'].includes(err.code)
    ) {
      ctx.logger.warn('youtrack: Hub /events could not be read; falling back to a full read', {
        code: err.code,
        status: err.status,
      });
      return { changes: [], watermark: watermark ?? '0', complete: false };
    }
    throw err;
  }
  const reading = interpretEvents(events);
  const changes: RecordChange[] = [];
  const done = new Set<string>();
  if (reading.fullRead.size > 0) {
    const types = [...reading.fullRead];
    ctx.logger.warn(
      `youtrack: ${reading.unknown.join('; ')} in Hub's /events: reading every ${types.join(', ')} instead (the events only say what to read again)`,
      { types, events: events.length },
    );
    for (const type of types)
      for await (const record of deps.readAll(type, signal)) {
        done.add(`${type}:${record.id}`);
        changes.push({ type, id: record.id, op: 'upsert', record });
      }
  }
  for (const t of reading.targets) {
    if (done.has(`${t.type}:${t.id}`)) continue;
    const at = t.at ? { at: t.at } : {};
    const record = t.deleted ? null : await deps.read(t.type, t.id);
    if (record) changes.push({ type: t.type, id: t.id, op: 'upsert', record, ...at });
    // A member named by a group's event that is not there (yet) is not a delete.
    else if (!t.member) changes.push({ type: t.type, id: t.id, op: 'delete', ...at });
  }
  return { changes, watermark: last, complete: true };
}

/**
 * Pages of `afterId: <watermark>` by `$skip`. The default order of the log is not documented:
 * oldest first, a batch stops at MAX_EVENTS and the next call goes on from its last id; newest
 * first, every page is read so that no event is skipped.
 */
async function eventsAfter(
  ctx: Ctx,
  watermark: string,
  signal?: AbortSignal,
): Promise<{ events: unknown[]; last: string }> {
  const events: unknown[] = [];
  let last = watermark;
  let ascending = true;
  let previous: string | undefined;
  for (let skip = 0; ; skip += ctx.pageSize) {
    const page = await eventPage(ctx, watermark, skip, signal);
    for (const e of page) {
      events.push(e);
      const id = eventId(e);
      if (id === undefined) continue;
      if (previous !== undefined && laterId(previous, id) !== id) ascending = false;
      previous = id;
      last = laterId(last, id);
    }
    if (page.length < ctx.pageSize || (ascending && events.length >= MAX_EVENTS)) break;
  }
  return { events, last };
}

function eventId(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const id = (e as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

async function eventPage(ctx: Ctx, afterId: string, skip: number, signal?: AbortSignal): Promise<unknown[]> {
  const res = await ctx.http.get(
    `${HUB}/events`,
    {
      fields: `events(${fields.event}),total`,
      query: `afterId: ${afterId}`,
      $skip: skip,
      $top: ctx.pageSize,
    },
    signal ? { signal } : {},
  );
  return parseEvents(ctx, res.body);
}

/**
 * The newest event id: `total`, then the event at `total - 1` in the log's own order. Should
 * the log come newest first, that is the oldest id and the first batch repeats events, which
 * only costs reads.
 */
async function lastEventId(ctx: Ctx, signal?: AbortSignal): Promise<string> {
  const extra = signal ? { signal } : {};
  const head = await ctx.http.get(`${HUB}/events`, { fields: 'total', $top: 0 }, extra);
  const total = envelope.safeParse(head.body).data?.total ?? 0;
  if (total === 0) return '0';
  const res = await ctx.http.get(
    `${HUB}/events`,
    { fields: 'events(id),total', $top: 1, $skip: total - 1 },
    extra,
  );
  return eventId(parseEvents(ctx, res.body)[0]) ?? '0';
}

function parseEvents(ctx: Ctx, body: unknown): unknown[] {
  const parsed = envelope.safeParse(body);
  if (!parsed.success)
    throw new HttpError('BAD_RESPONSE', 'youtrack: Hub /events answered with an unexpected shape', {
      system: ctx.http.system,
      method: 'GET',
      url: `${HUB}/events`,
    });
  return parsed.data.events ?? [];
}
