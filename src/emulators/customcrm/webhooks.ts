import { createHmac, randomUUID } from 'node:crypto';
import type { CrmDatabase } from './database.ts';
import { iso, type CrmChange } from './records.ts';

export const EVENT_TYPES = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'contact.created',
  'contact.updated',
  'contact.deleted',
] as const;

export interface WebhookRetry {
  attempts: number;
  baseDelayMs: number;
}

const ATTEMPT_TIMEOUT_MS = 10_000;

/** `v1=<hex>` over `${timestamp}.${rawBody}`: the signature a receiver recomputes. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/**
 * Posts each committed change to the subscribed URLs, in the background, retrying a failed
 * delivery with exponential backoff. `close()` aborts waiting and in-flight deliveries and
 * resolves once none is left running.
 */
export class WebhookDispatcher {
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    private readonly db: CrmDatabase,
    private readonly retry: WebhookRetry,
    private readonly now: () => number,
    private readonly renderData: (c: CrmChange) => unknown,
  ) {}

  /** Counts of delivery outcomes, for tests and the admin page. */
  readonly stats = { delivered: 0, failedAttempts: 0, abandoned: 0 };

  handle(change: CrmChange): void {
    const subscribers = this.db
      .listWebhooks()
      .filter((w) => w.Events.includes('*') || w.Events.includes(change.type));
    if (subscribers.length === 0) return;
    const body = JSON.stringify({
      Id: `evt_${randomUUID().replaceAll('-', '')}`,
      Type: change.type,
      OccurredAt: iso(change.occurredAt),
      Data: this.renderData(change),
    });
    for (const w of subscribers) {
      const p = this.deliver(w.Id, body).finally(() => this.running.delete(p));
      this.running.add(p);
    }
  }

  async close(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running]);
  }

  private async deliver(webhookId: string, body: string): Promise<void> {
    const eventId = (JSON.parse(body) as { Id: string }).Id;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      // A subscription removed while a delivery waits gets nothing more.
      if (this.abort.signal.aborted) return;
      const hook = this.db.listWebhooks().find((w) => w.Id === webhookId);
      if (!hook) return;
      if (await this.attempt(hook.Url, hook.Secret, eventId, body)) {
        this.stats.delivered++;
        return;
      }
      this.stats.failedAttempts++;
      if (attempt < this.retry.attempts && !(await this.wait(this.retry.baseDelayMs * 2 ** (attempt - 1))))
        return;
    }
    this.stats.abandoned++;
  }

  private async attempt(url: string, secret: string, eventId: string, body: string): Promise<boolean> {
    const timestamp = Math.floor(this.now() / 1000);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'customcrm-webhook-id': eventId,
          'customcrm-webhook-timestamp': String(timestamp),
          'customcrm-webhook-signature': signWebhook(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Resolves true after `ms`, or false at once when the dispatcher is closing. */
  private wait(ms: number): Promise<boolean> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
