import { DEFAULT_MAX_IN_FLIGHT, type CallFeedback, type TokenBucketOptions } from './rate-limit.ts';

/**
 * Adaptive concurrency (issue 16): how many requests one system may have in flight, within a
 * configured ceiling. Additive increase, multiplicative decrease, as TCP's congestion window:
 * the window starts at the ceiling; every good answer adds `1 / window` (one request more per
 * window of good answers); a 429 or 503 halves it, a network failure or another 5xx cuts it by
 * 30 %, latency rising to three times the best seen (and 100 ms above it) cuts it by 20 %. Only an
 * answer to a request sent after the last cut can cut again, so one overload (a burst of 429s to
 * requests that were all in flight together) cuts once, whatever the clock says. The window never
 * goes below 1. Pure logic: no clock, no I/O.
 */
export class AimdConcurrency {
  private window: number;
  private sent = 0;
  /** Requests numbered up to this one were in flight at the last cut. */
  private cutAt = 0;
  private ewmaMs: number | undefined;
  private bestMs: number | undefined;
  cuts = 0;

  constructor(readonly ceiling: number) {
    if (!(Number.isInteger(ceiling) && ceiling >= 1))
      throw new RangeError('rate limit: maxInFlight must be a whole number of at least 1');
    this.window = ceiling;
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.window));
  }

  /** A request goes out; the number it returns is passed back to `observe` with its answer. */
  start(): number {
    return ++this.sent;
  }

  /** Returns true when the window was cut. */
  observe(ticket: number, call: CallFeedback): boolean {
    const s = call.status;
    if (s === 429 || s === 503) return this.cut(ticket, 0.5);
    if (call.failed || (s !== undefined && s >= 500)) return this.cut(ticket, 0.7);
    this.ewmaMs = this.ewmaMs === undefined ? call.ms : 0.8 * this.ewmaMs + 0.2 * call.ms;
    // As in AimdPace: the best latency drifts up slowly, so a remote that got slower for good is
    // not cut forever.
    this.bestMs =
      this.bestMs === undefined
        ? this.ewmaMs
        : Math.min(this.ewmaMs, this.bestMs + (this.ewmaMs - this.bestMs) * 0.002);
    if (this.ewmaMs > 3 * this.bestMs && this.ewmaMs > this.bestMs + 100) return this.cut(ticket, 0.8);
    this.window = Math.min(this.ceiling, this.window + 1 / this.window);
    return false;
  }

  private cut(ticket: number, factor: number): boolean {
    if (ticket <= this.cutAt) return false;
    this.cutAt = this.sent;
    this.cuts++;
    this.window = Math.max(1, this.window * factor);
    // A cut by latency starts the latency anew, so the queue it built does not cut again.
    this.ewmaMs = undefined;
    return true;
  }
}

/**
 * Holds requests of one system to the adaptive window: `enter` waits for a free slot (callers
 * are served in order), `leave` gives it back with the answer. One per connector, in this
 * process; with several workers each has its own (docs/performance.md, "Adaptive pace").
 */
export class ConcurrencyGate {
  readonly aimd: AimdConcurrency | undefined;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  /** `adaptive: false` keeps the ceiling fixed. */
  constructor(
    readonly ceiling: number,
    adaptive = true,
  ) {
    if (!(Number.isInteger(ceiling) && ceiling >= 1))
      throw new RangeError('rate limit: maxInFlight must be a whole number of at least 1');
    this.aimd = adaptive ? new AimdConcurrency(ceiling) : undefined;
  }

  get limit(): number {
    return this.aimd?.limit ?? this.ceiling;
  }

  get active(): number {
    return this.inFlight;
  }

  /** Resolves with a ticket once a slot is free; rejects when the signal aborts first. */
  enter(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    if (this.inFlight < this.limit && this.waiting.length === 0) return Promise.resolve(this.take());
    return new Promise<number>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', abort);
        resolve(this.take());
      };
      const abort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.push(go);
    });
  }

  /** Gives the slot back; `call` is the answer (absent when the request was abandoned). */
  leave(ticket: number, call?: CallFeedback): void {
    this.inFlight--;
    if (call) this.aimd?.observe(ticket, call);
    while (this.waiting.length > 0 && this.inFlight < this.limit) this.waiting.shift()?.();
  }

  private take(): number {
    this.inFlight++;
    return this.aimd?.start() ?? 0;
  }
}

/** The gate a connector's `rateLimit` setting asks for. */
export function gateFor(opts: TokenBucketOptions): ConcurrencyGate {
  return new ConcurrencyGate(opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, opts.adaptive !== false);
}
