import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import type { Logger } from '../log/logger.ts';
import { silentLogger } from '../log/logger.ts';
import { redact, registerSecret } from '../log/redact.ts';
import { HttpError, codeForStatus } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';
import { unlimited } from './rate-limit.ts';

export type HttpAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'basic'; username: string; password: string };

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails with RATE_LIMITED. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 120_000,
};

export interface CallInfo {
  system: string;
  method: string;
  path: string;
  status?: number;
  code?: string;
  ms: number;
  attempt: number;
}

export interface HttpClientOptions {
  /** Name used in errors, logs and metrics ("youtrack", "customcrm"). */
  system: string;
  baseUrl: string;
  auth?: HttpAuth;
  headers?: Record<string, string>;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  rateLimiter?: RateLimiter;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
  fetch?: typeof fetch;
  /** Called after every attempt; feeds metrics. */
  onCall?: (info: CallInfo) => void;
}

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Whether repeating the request is harmless. Defaults to true for everything but POST.
   * A non-idempotent request is retried only when the server surely did not act on it
   * (429, or the connection was refused); otherwise the caller must look before trying again.
   */
  idempotent?: boolean;
  /** Statuses returned as responses instead of thrown (e.g. 404 for a lookup). */
  allowStatus?: number[];
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text for non-JSON bodies, or undefined when empty. */
  body: T;
}

export class HttpClient {
  readonly system: string;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly limiter: RateLimiter;
  private readonly fetchImpl: typeof fetch;
  private readonly baseUrl: string;

  constructor(private readonly opts: HttpClientOptions) {
    this.system = opts.system;
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.logger = opts.logger ?? silentLogger;
    this.limiter = opts.rateLimiter ?? unlimited;
    this.fetchImpl = opts.fetch ?? fetch;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    const auth = opts.auth;
    if (auth?.kind === 'bearer') registerSecret(auth.token);
    if (auth?.kind === 'header') registerSecret(auth.value);
    if (auth?.kind === 'basic') registerSecret(auth.password);
  }

  url(path: string, query?: RequestOptions['query']): string {
    const u = new URL(this.baseUrl + (path.startsWith('/') ? path : '/' + path));
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  private authHeaders(): Record<string, string> {
    const a = this.opts.auth;
    if (!a || a.kind === 'none') return {};
    if (a.kind === 'bearer') return { authorization: `Bearer ${a.token}` };
    if (a.kind === 'header') return { [a.name.toLowerCase()]: a.value };
    return { authorization: 'Basic ' + Buffer.from(`${a.username}:${a.password}`).toString('base64') };
  }

  async request<T = unknown>(req: RequestOptions): Promise<HttpResponse<T>> {
    const method = (req.method ?? 'GET').toUpperCase();
    const idempotent = req.idempotent ?? method !== 'POST';
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.opts.headers,
      ...req.headers,
      ...this.authHeaders(),
    };
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    const where = { system: this.system, method, url: redact(url) };

    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire(req.signal);
      const started = this.clock.now();
      let failure: HttpError;
      let retryAfterMs: number | undefined;
      let surelyUnsent = false;
      try {
        const signals = [AbortSignal.timeout(this.opts.timeoutMs ?? 30_000)];
        if (req.signal) signals.push(req.signal);
        const res = await this.fetchImpl(url, {
          method,
          headers,
          ...(payload !== undefined ? { body: payload } : {}),
          signal: AbortSignal.any(signals),
          // Never follow: a redirect would carry the credential headers to wherever it points.
          redirect: 'manual',
        });
        const text = await res.text();
        const ms = this.clock.now() - started;
        this.opts.onCall?.({ system: this.system, method, path: req.path, status: res.status, ms, attempt });
        this.logger.debug('http', { ...where, status: res.status, ms, attempt });
        const body = parseBody(text, res.headers.get('content-type'));
        if (res.ok || req.allowStatus?.includes(res.status)) {
          if (res.ok && body.invalidJson) {
            failure = new HttpError(
              'BAD_RESPONSE',
              `${this.system}: ${method} ${where.url} answered ${res.status} with a body that is not valid JSON`,
              { ...where, status: res.status, body: redact(text.slice(0, 200)), attempts: attempt },
            );
          } else {
            return { status: res.status, headers: res.headers, body: body.value as T };
          }
        } else {
          const code = codeForStatus(res.status);
          const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
          failure = new HttpError(
            code,
            location !== null
              ? `${this.system}: ${method} ${where.url} was redirected (HTTP ${res.status}) to ${redact(new URL(location, url).href)}; Tandem does not follow redirects, so that no credential reaches another address: set the URL to the new location`
              : `${this.system}: ${method} ${where.url} failed with HTTP ${res.status}`,
            {
              ...where,
              status: res.status,
              body: body.value,
              attempts: attempt,
            },
          );
          if (res.status === 429) {
            surelyUnsent = true;
            retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.clock.now());
          }
        }
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        const ms = this.clock.now() - started;
        const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        const code = timeout ? 'TIMEOUT' : 'NETWORK';
        surelyUnsent = !timeout && causeCode(err) === 'ECONNREFUSED';
        this.opts.onCall?.({ system: this.system, method, path: req.path, code, ms, attempt });
        failure = new HttpError(
          code,
          `${this.system}: ${method} ${where.url} ${timeout ? 'timed out' : 'failed: ' + networkReason(err)}`,
          { ...where, attempts: attempt },
        );
      }

      const retryable = failure.transient && (idempotent || surelyUnsent);
      if (!retryable || attempt >= this.retry.maxAttempts) throw failure;
      if (retryAfterMs !== undefined && retryAfterMs > this.retry.maxRetryAfterMs) throw failure;
      const delay = retryAfterMs ?? this.backoff(attempt);
      this.logger.info('retrying', {
        ...where,
        code: failure.code,
        status: failure.status,
        attempt,
        delayMs: delay,
      });
      await this.clock.sleep(delay, req.signal);
    }
  }

  /** Exponential backoff with full jitter. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + (this.random() * cap) / 2);
  }

  get<T = unknown>(path: string, query?: RequestOptions['query'], extra?: Partial<RequestOptions>) {
    return this.request<T>({ ...extra, method: 'GET', path, ...(query ? { query } : {}) });
  }
}

function parseBody(text: string, contentType: string | null): { value: unknown; invalidJson: boolean } {
  if (text === '') return { value: undefined, invalidJson: false };
  const looksJson = !contentType || /json/i.test(contentType);
  if (!looksJson) return { value: text, invalidJson: false };
  try {
    return { value: JSON.parse(text) as unknown, invalidJson: false };
  } catch {
    return { value: text, invalidJson: true };
  }
}

export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return cause?.code;
}

function networkReason(err: unknown): string {
  const code = causeCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  return code ? `${code} (${msg})` : msg;
}
