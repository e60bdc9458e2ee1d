import type { RecordChange, RecordType, RemoteRecord } from '../../core/types.ts';
import { HttpError } from '../../http/errors.ts';
import type { ChangeBatch } from '../types.ts';
import type { Ctx } from './context.ts';
import { changeTargets, laterId } from './events.ts';
import { HUB, fields, hubEvent } from './wire.ts';
import type { HubEvent } from './wire.ts';
import { z } from 'zod';

/** Events read per batch; the rest waits for the next call so one batch stays small. */
const MAX_EVENTS = 5_000;
const envelope = z.looseObject({ events: z.array(hubEvent).optional() });

/**
 * Reads Hub's audit log after the watermark (the last event id processed). Without a
 * watermark it starts now: it returns the current last id and no changes. Every upsert comes
 * with the record as it is now (one read per changed record), and a record that no longer
 * exists becomes a delete, whatever the event said. A log that cannot be read (403/404)
 * answers `complete: false`, and the engine falls back to a full read.
 */
export async function changesSince(
  ctx: Ctx,
  watermark: string | undefined,
  read: (type: RecordType, id: string) => Promise<RemoteRecord | null>,
  signal?: AbortSignal,
): Promise<ChangeBatch> {
  const events: HubEvent[] = [];
  let last = watermark;
  try {
    if (watermark === undefined)
      return { changes: [], watermark: await lastEventId(ctx, signal), complete: true };
    while (events.length < MAX_EVENTS) {
      const page = await eventPage(ctx, last ?? '0', signal);
      for (const e of page) {
        events.push(e);
        last = laterId(last ?? '0', e.id);
      }
      if (page.length < ctx.pageSize) break;
    }
  } catch (err) {
    if (
      err instanceof HttpError &&
      (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND' || err.code === 'BAD_REQUEST')
    )
      return { changes: [], watermark: watermark ?? '0', complete: false };
    throw err;
  }
  const changes: RecordChange[] = [];
  for (const t of changeTargets(events)) {
    const at = t.at ? { at: t.at } : {};
    const record = t.deleted ? null : await read(t.type, t.id);
    changes.push(
      record
        ? { type: t.type, id: t.id, op: 'upsert', record, ...at }
        : { type: t.type, id: t.id, op: 'delete', ...at },
    );
  }
  return { changes, watermark: last ?? '0', complete: true };
}

async function eventPage(ctx: Ctx, afterId: string, signal?: AbortSignal): Promise<HubEvent[]> {
  const res = await ctx.http.get(
    `${HUB}/events`,
    {
      fields: `events(${fields.event}),total`,
      query: `afterId: ${afterId}`,
      $top: ctx.pageSize,
      orderBy: 'id:asc',
    },
    signal ? { signal } : {},
  );
  return parseEvents(ctx, res.body);
}

/**
 * The newest event id: `total`, then the event at `total - 1` in the log's own (ascending)
 * order. `orderBy` on `/events` is not relied on; should the log come newest first, the id is an
 * older one and the first batch only repeats events, which is harmless.
 */
async function lastEventId(ctx: Ctx, signal?: AbortSignal): Promise<string> {
  const extra = signal ? { signal } : {};
  const head = await ctx.http.get(`${HUB}/events`, { fields: 'total', $top: 0 }, extra);
  const total = z.looseObject({ total: z.number().optional() }).safeParse(head.body).data?.total ?? 0;
  if (total === 0) return '0';
  const res = await ctx.http.get(
    `${HUB}/events`,
    { fields: 'events(id),total', $top: 1, $skip: total - 1 },
    extra,
  );
  return parseEvents(ctx, res.body)[0]?.id ?? '0';
}

function parseEvents(ctx: Ctx, body: unknown): HubEvent[] {
  const parsed = envelope.safeParse(body);
  if (!parsed.success)
    throw new HttpError('BAD_RESPONSE', 'youtrack: Hub /events answered with an unexpected shape', {
      system: ctx.http.system,
      method: 'GET',
      url: `${HUB}/events`,
    });
  return parsed.data.events ?? [];
}
