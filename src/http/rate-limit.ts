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
  /** Tokens added per second; with `adaptive`, the ceiling the pace never goes above. */
  ratePerSecond: number;
  /** Bucket size: how many requests may go out at once after a quiet spell. */
  burst: number;
  /** Pace by the remote's answers (AIMD) within `ratePerSecond`; see `AimdPace`. Default true. */
  adaptive?: boolean;
  /**
   * Requests in flight at once, the ceiling of the adaptive window (`AimdConcurrency`); with
   * `adaptive: false`, a fixed bound. Default `DEFAULT_MAX_IN_FLIGHT`.
   */
  maxInFlight?: number;
}

/** The executor sends at most 8 writes at once; reads ahead of them add a few more. */
export const DEFAULT_MAX_IN_FLIGHT = 16;

/** A parsed `rateLimit` setting without an absent `adaptive` (exactOptionalPropertyTypes). */
export function rateLimitOf(c: {
  ratePerSecond: number;
  burst: number;
  adaptive?: boolean | undefined;
  maxInFlight?: number | undefined;
}): TokenBucketOptions {
  return {
    ratePerSecond: c.ratePerSecond,
    burst: c.burst,
    ...(c.adaptive !== undefined ? { adaptive: c.adaptive } : {}),
    ...(c.maxInFlight !== undefined ? { maxInFlight: c.maxInFlight } : {}),
  };
}

/**
 * Additive increase, multiplicative decrease, as TCP paces itself: the rate starts at the
 * configured ceiling and stays there while answers come back well; a 429 or 503 halves it (and a
 * Retry-After pauses every caller of the system until then), a network failure or 5xx cuts it
 * by 30 %, and latency rising to three times the best seen (and 100 ms above it) cuts it by 20 %.
 * At most one cut a second, so a burst of 429s from one overload halves the rate once. Each good
 * answer adds back `ceiling / 20 / rate`, about a twentieth of the ceiling per second. The rate
 * never goes below a twentieth of the ceiling (at least 0.5/s). Pure logic: the clock is passed in.
 */
export class AimdPace {
  private rateNow: number;
  private readonly floor: number;
  private readonly step: number;
  private lastCut = Number.NEGATIVE_INFINITY;
  private ewmaMs: number | undefined;
  private bestMs: number | undefined;
  pausedUntil = 0;

  constructor(private readonly ceiling: number) {
    this.rateNow = ceiling;
    this.floor = Math.min(ceiling, Math.max(0.5, ceiling / 20));
    this.step = Math.max(0.5, ceiling / 20);
  }

  get rate(): number {
    return this.rateNow;
  }

  /** Adopts a rate another worker settled on (shared limiters). */
  adopt(rate: number): void {
    this.rateNow = Math.min(this.ceiling, Math.max(this.floor, rate));
  }

  /** Returns true when the rate was cut. */
  observe(call: CallFeedback, now: number): boolean {
    const s = call.status;
    if (s === 429 || s === 503) {
      if (call.retryAfterMs !== undefined)
        this.pausedUntil = Math.max(this.pausedUntil, now + call.retryAfterMs);
      return this.cut(0.5, now);
    }
    if (call.failed || (s !== undefined && s >= 500)) return this.cut(0.7, now);
    this.ewmaMs = this.ewmaMs === undefined ? call.ms : 0.8 * this.ewmaMs + 0.2 * call.ms;
    // The best latency drifts up slowly, so a remote that got slower for good is not cut forever.
    this.bestMs =
      this.bestMs === undefined
        ? this.ewmaMs
        : Math.min(this.ewmaMs, this.bestMs + (this.ewmaMs - this.bestMs) * 0.002);
    if (this.ewmaMs > 3 * this.bestMs && this.ewmaMs > this.bestMs + 100) return this.cut(0.8, now);
    this.rateNow = Math.min(this.ceiling, this.rateNow + this.step / this.rateNow);
    return false;
  }

  private cut(factor: number, now: number): boolean {
    if (now - this.lastCut < 1000) return false;
    this.lastCut = now;
    this.rateNow = Math.max(this.floor, this.rateNow * factor);
    return true;
  }
}

export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  /** The adaptive pace, unless switched off (then the rate is the configured one). */
  readonly pace: AimdPace | undefined;

  constructor(
    private readonly opts: TokenBucketOptions,
    private readonly clock: Clock,
  ) {
    if (!(opts.ratePerSecond > 0)) throw new RangeError('rate limit: ratePerSecond must be above 0');
    if (!(opts.burst >= 1)) throw new RangeError('rate limit: burst must be at least 1');
    this.tokens = opts.burst;
    this.last = clock.now();
    this.pace = opts.adaptive === false ? undefined : new AimdPace(opts.ratePerSecond);
  }

  private get rate(): number {
    return this.pace?.rate ?? this.opts.ratePerSecond;
  }

  feedback(call: CallFeedback): void {
    this.pace?.observe(call, this.clock.now());
  }

  acquire(signal?: AbortSignal): Promise<void> {
    // Callers are served in order: each waits for the one before it.
    const next = this.queue.then(() => this.take(signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    const paused = (this.pace?.pausedUntil ?? 0) - this.clock.now();
    if (paused > 0) await this.clock.sleep(paused, signal);
    this.refill();
    while (this.tokens < 1) {
      const waitMs = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
      await this.clock.sleep(waitMs, signal);
      this.refill();
    }
    this.tokens -= 1;
  }
}

export const unlimited: RateLimiter = { acquire: async () => undefined };
