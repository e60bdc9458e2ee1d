import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CustomcrmType, RecordChange } from '../../core/types.ts';
import { silentLogger } from '../../log/logger.ts';
import type { Logger } from '../../log/logger.ts';
import { registerSecret } from '../../log/redact.ts';
import { systemClock } from '../../util/clock.ts';
import type { Clock } from '../../util/clock.ts';
import { fromWire, isTombstone } from './mapping.ts';
import { contractProfile } from './profile.ts';
import type { CrmProfile } from './profile.ts';

/** Event ids already accepted. Synchronous so that a SQLite-backed cache fits; the engine may persist it. */
export interface ReplayCache {
  has(eventId: string): boolean;
  add(eventId: string, atMs: number): void;
}

/** In-memory, bounded: forgets the oldest ids first (ids older than the tolerance are refused anyway). */
export class MemoryReplayCache implements ReplayCache {
  private readonly ids = new Map<string, number>();
  constructor(private readonly max = 10_000) {}
  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }
  add(eventId: string, atMs: number): void {
    this.ids.set(eventId, atMs);
    while (this.ids.size > this.max) {
      const oldest = this.ids.keys().next().value;
      if (oldest === undefined) break;
      this.ids.delete(oldest);
    }
  }
}

export type WebhookRejection = {
  ok: false;
  status: 401 | 400;
  code: 'BAD_SIGNATURE' | 'STALE_TIMESTAMP' | 'REPLAYED' | 'MALFORMED';
  message: string;
};
export type WebhookResult = { ok: true; change: RecordChange } | WebhookRejection;

export interface WebhookReceiverOptions {
  secret: string;
  toleranceSeconds?: number;
  clock?: Clock;
  logger?: Logger;
  seen?: ReplayCache;
  /** Maps the event's record from wire names; the contract profile by default. */
  profile?: CrmProfile;
}

const EVENT_TYPES: Record<string, CustomcrmType> = { customer: 'Customer', contact: 'Contact' };

export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

/**
 * Verifies a delivery (HMAC-SHA256 over `${timestamp}.${rawBody}`, the timestamp window, replayed
 * ids) and turns it into a RecordChange. Header names are matched case-insensitively.
 */
export function createWebhookReceiver(opts: WebhookReceiverOptions): {
  handle(rawBody: string, headers: Record<string, string | undefined>): WebhookResult;
} {
  registerSecret(opts.secret);
  const tolerance = (opts.toleranceSeconds ?? 300) * 1000;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? silentLogger;
  const seen = opts.seen ?? new MemoryReplayCache();
  const profile = opts.profile ?? contractProfile;

  const reject = (
    status: 401 | 400,
    code: WebhookRejection['code'],
    message: string,
    eventId?: string,
  ): WebhookResult => {
    logger.warn('webhook rejected', { code, ...(eventId ? { eventId } : {}), reason: message });
    return { ok: false, status, code, message };
  };

  return {
    handle(rawBody, rawHeaders) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(rawHeaders)) if (v !== undefined) headers[k.toLowerCase()] = v;
      const timestamp = headers['customcrm-webhook-timestamp'];
      const signature = headers['customcrm-webhook-signature'];
      const headerId = headers['customcrm-webhook-id'];
      if (!timestamp || !/^\d+$/.test(timestamp) || !signature)
        return reject(
          400,
          'MALFORMED',
          'the Customcrm-Webhook-Timestamp or -Signature header is missing or not a number',
          headerId,
        );

      const expected = Buffer.from(signWebhook(opts.secret, timestamp, rawBody));
      const valid = signature
        .split(/[ ,]+/)
        .some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected));
      if (!valid)
        return reject(
          401,
          'BAD_SIGNATURE',
          'the signature does not match the body; check customcrm.webhookSecret',
          headerId,
        );

      const ageMs = Math.abs(clock.now() - Number(timestamp) * 1000);
      if (ageMs > tolerance)
        return reject(
          401,
          'STALE_TIMESTAMP',
          `the delivery is ${Math.round(ageMs / 1000)} s away from now (tolerance ${tolerance / 1000} s)`,
          headerId,
        );

      let event: { Id?: unknown; Type?: unknown; OccurredAt?: unknown; Data?: unknown };
      try {
        event = JSON.parse(rawBody) as typeof event;
      } catch {
        return reject(400, 'MALFORMED', 'the body is not JSON', headerId);
      }
      const eventId = typeof event.Id === 'string' ? event.Id : headerId;
      const [kind, action] = typeof event.Type === 'string' ? event.Type.split('.') : [];
      const type = kind ? EVENT_TYPES[kind] : undefined;
      const data = event.Data;
      if (!eventId || !type || !action || !data || typeof data !== 'object')
        return reject(
          400,
          'MALFORMED',
          'the event lacks Id, a known Type (customer.*, contact.*) or Data',
          eventId,
        );
      if (seen.has(eventId)) return reject(400, 'REPLAYED', `event ${eventId} was already received`, eventId);

      const r = fromWire(profile, type, data as Record<string, unknown>);
      if (!r.id) return reject(400, 'MALFORMED', `event ${eventId} has no record id in Data`, eventId);
      seen.add(eventId, clock.now());
      const at =
        typeof event.OccurredAt === 'string'
          ? { at: event.OccurredAt }
          : r.updatedAt
            ? { at: r.updatedAt }
            : {};
      const change: RecordChange =
        action === 'deleted' || isTombstone(r)
          ? { type, id: r.id, op: 'delete', ...at }
          : { type, id: r.id, op: 'upsert', record: r, ...at };
      return { ok: true, change };
    },
  };
}
