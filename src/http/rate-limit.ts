import type { Clock } from '../util/clock.ts';

/** Acquired before every request. One per connection and system; shared limiters may span processes. */
export interface RateLimiter {
  acquire(signal?: AbortSignal): Promise<void>;
  /** Told how every attempt went, so an adaptive limiter can pace itself by the remote's answers. */
  feedback?(call: CallFeedback): void;
}

export interface CallFeedback {
  /** Absent when no answer came (network failure or timeout). */
  status?: number;
  ms: number;
  retryAfterMs?: number;
  failed?: boolean;
}

export interface TokenBucketOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: how many requests may go out at once after a quiet spell. */
  burst: number;
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: TokenBucketOptions,
    private readonly clock: Clock,
  ) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('rate limit: ratePerSecond must be above 0');
    if (!(opts.burst >= 1)) throw new RangeError('rate limit: burst must be at least 1');
    this.tokens = opts.burst;
    this.last = clock.now();
  }

  acquire(signal?: AbortSignal): Promise<void> {
    // Callers are served in order: each waits for the one before it.
    const next = this.queue.then(() => this.take(signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(
      this.opts.burst,
      this.tokens + ((now - this.last) / 1000) * this.opts.ratePerSecond,
    );
    this.last = now;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      const waitMs = Math.ceil(((1 - this.tokens) / this.opts.ratePerSecond) * 1000);
      await this.clock.sleep(waitMs, signal);
      this.refill();
    }
    this.tokens -= 1;
  }
}

export const unlimited: RateLimiter = { acquire: async () => undefined };
