import { setMaxListeners } from 'node:events';
import { Pool, errors as undiciErrors } from 'undici';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import type { Logger } from '../log/logger.ts';
import { silentLogger } from '../log/logger.ts';
import { redact, registerSecret } from '../log/redact.ts';
import { HttpError, codeForStatus } from './errors.ts';
import type { ConcurrencyGate } from './concurrency.ts';
import type { CallFeedback, RateLimiter } from './rate-limit.ts';
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
  /** The caller listed this status as an answer it expects (a probe's 404): not an error. */
  expected?: boolean;
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
  /** Requests in flight at once, adapted to the remote's answers (issue 16); unbounded when absent. */
  concurrency?: ConcurrencyGate;
  logger?: Logger;
  clock?: Clock;
  random?: () => number;
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
  private readonly pool: Pool;
  private readonly baseUrl: string;
  private readonly origin: string;
  private readonly prefix: string;

  constructor(private readonly opts: HttpClientOptions) {
    this.system = opts.system;
    this.retry = { ...defaultRetryPolicy, ...opts.retry };
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.logger = opts.logger ?? silentLogger;
    this.limiter = opts.rateLimiter ?? unlimited;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    const base = new URL(this.baseUrl);
    this.origin = base.origin;
    this.prefix = base.pathname.replace(/\/+$/, '');
    this.pool = poolFor(this.origin);
    const auth = opts.auth;
    if (auth?.kind === 'bearer') registerSecret(auth.token);
    if (auth?.kind === 'header') registerSecret(auth.value);
    if (auth?.kind === 'basic') registerSecret(auth.password);
  }

  /** The request target (path and query) under the base URL's path, as the pool sends it. */
  private pathWithQuery(path: string, query?: RequestOptions['query']): string {
    let target = this.prefix + (path.startsWith('/') ? path : '/' + path);
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      if (qs) target += (target.includes('?') ? '&' : '?') + qs;
    }
    return target;
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
    const path = this.pathWithQuery(req.path, req.query);
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
    const where = { system: this.system, method, url: redact(this.origin + path) };
    if (req.signal) allowManyListeners(req.signal);
    const timeoutMs = this.opts.timeoutMs ?? 30_000;

    for (let attempt = 1; ; attempt++) {
      const gate = this.opts.concurrency;
      const ticket = gate ? await gate.enter(req.signal) : 0;
      let answer: CallFeedback | undefined;
      const feedback = (call: CallFeedback) => {
        answer = call;
        this.limiter.feedback?.(call);
      };
      let failure: HttpError;
      let retryAfterMs: number | undefined;
      let surelyUnsent = false;
      try {
        await this.limiter.acquire(req.signal);
        const started = this.clock.now();
        try {
          // undici's own timers (no AbortSignal per request): headers and body each within the timeout.
          const res = await this.pool.request({
            method: method as 'GET',
            path,
            headers,
            ...(payload !== undefined ? { body: payload } : {}),
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
            ...(req.signal ? { signal: req.signal } : {}),
          });
          const text = await res.body.text();
          const status = res.statusCode;
          const resHeaders = new ResponseHeaders(res.headers);
          const ms = this.clock.now() - started;
          this.opts.onCall?.({
            system: this.system,
            method,
            path: req.path,
            status,
            ms,
            attempt,
            ...(req.allowStatus?.includes(status) ? { expected: true } : {}),
          });
          this.logger.debug('http', { ...where, status, ms, attempt });
          const contentType = resHeaders.get('content-type');
          const ok = status >= 200 && status < 300;
          if (status >= 300 && status < 400 && !req.allowStatus?.includes(status)) {
            feedback({ status, ms });
            // Redirects are never followed: a moved API is a configuration change the user must make.
            const location = resHeaders.get('location');
            throw new HttpError(
              'HTTP_ERROR',
              `${this.system}: ${method} ${where.url} was redirected (HTTP ${status}) to ` +
                `${location ? redact(new URL(location, this.origin + path).toString()) : '(no Location header)'}; ` +
                'Tandem does not follow redirects, so that no credential reaches another address: ' +
                'set the URL to the new location if it is right',
              { ...where, status, attempts: attempt },
            );
          }
          const body = parseBody(text, contentType);
          if (ok || req.allowStatus?.includes(status)) {
            if (ok && body.invalidJson) {
              failure = new HttpError(
                'BAD_RESPONSE',
                `${this.system}: ${method} ${where.url} answered ${status} with a body that is not valid JSON`,
                { ...where, status, body: redact(text.slice(0, 200)), attempts: attempt },
              );
            } else {
              feedback({ status, ms });
              return { status, headers: resHeaders, body: body.value as T };
            }
          } else {
            const code = codeForStatus(status);
            failure = new HttpError(
              code,
              `${this.system}: ${method} ${where.url} failed with HTTP ${status}`,
              {
                ...where,
                status,
                body: body.value,
                attempts: attempt,
              },
            );
            if (status === 429) {
              surelyUnsent = true;
              retryAfterMs = parseRetryAfter(resHeaders.get('retry-after'), this.clock.now());
            }
          }
          feedback({ status, ms, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
        } catch (err) {
          if (err instanceof HttpError) throw err;
          if (req.signal?.aborted) throw req.signal.reason;
          const ms = this.clock.now() - started;
          const timeout =
            err instanceof undiciErrors.HeadersTimeoutError ||
            err instanceof undiciErrors.BodyTimeoutError ||
            err instanceof undiciErrors.ConnectTimeoutError;
          const code = timeout ? 'TIMEOUT' : 'NETWORK';
          surelyUnsent = !timeout && causeCode(err) === 'ECONNREFUSED';
          this.opts.onCall?.({ system: this.system, method, path: req.path, code, ms, attempt });
          feedback({ ms, failed: true });
          failure = new HttpError(
            code,
            `${this.system}: ${method} ${where.url} ${timeout ? 'timed out' : 'failed: ' + networkReason(err)}`,
            { ...where, attempts: attempt },
          );
        }
      } finally {
        gate?.leave(ticket, answer);
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

const pools = new Map<string, Pool>();
const widened = new WeakSet<AbortSignal>();

/**
 * A cycle's signal is shared by every request of the cycle and undici listens on it once per
 * request in flight: more than ten at once is normal here, not the leak Node warns about.
 */
function allowManyListeners(signal: AbortSignal): void {
  if (widened.has(signal)) return;
  widened.add(signal);
  setMaxListeners(0, signal);
}

/**
 * One keep-alive connection pool per origin for the whole process, made for throughput (undici's
 * `Pool`, the engine under Node's fetch, without fetch's per-request streams and signals). Idle
 * sockets do not keep the process alive.
 */
function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool || pool.destroyed || pool.closed) {
    pool = new Pool(origin, { connections: 32, keepAliveTimeout: 10_000, pipelining: 1 });
    pools.set(origin, pool);
  }
  return pool;
}

/**
 * Response headers as undici hands them (lower-case names), behind the fetch `Headers` interface
 * without copying them into one: `get` joins a repeated header like fetch does.
 */
export class ResponseHeaders implements Headers {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  set(name: string, value: string): void {
    this.raw[name.toLowerCase()] = value;
  }
  append(name: string, value: string): void {
    const prev = this.raw[name.toLowerCase()];
    this.raw[name.toLowerCase()] = prev === undefined ? value : [...[prev].flat(), value];
  }
  delete(name: string): void {
    this.raw[name.toLowerCase()] = undefined;
  }
  getSetCookie(): string[] {
    const v = this.raw['set-cookie'];
    return v === undefined ? [] : [v].flat();
  }
  forEach(cb: (value: string, key: string, parent: Headers) => void): void {
    this.full().forEach((v, k) => cb(v, k, this));
  }
  entries(): ReturnType<Headers['entries']> {
    return this.full().entries();
  }
  keys(): ReturnType<Headers['keys']> {
    return this.full().keys();
  }
  values(): ReturnType<Headers['values']> {
    return this.full().values();
  }
  [Symbol.iterator](): ReturnType<Headers['entries']> {
    return this.full().entries();
  }

  /** A real `Headers`, built only when someone iterates (nothing in Tandem does on the hot path). */
  private full(): Headers {
    const h = new Headers();
    for (const [k, v] of Object.entries(this.raw)) for (const one of [v ?? []].flat()) h.append(k, one);
    return h;
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
  const e = err as { code?: string; cause?: { code?: string }; errors?: Array<{ code?: string }> };
  return e?.cause?.code ?? e?.errors?.[0]?.code ?? e?.code;
}

function networkReason(err: unknown): string {
  const code = causeCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  return code ? `${code} (${msg})` : msg;
}
