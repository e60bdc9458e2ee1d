import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Fault injection shared by both emulators (never by the connectors they stand in for).
 * SPEC is a comma-separated list, e.g. `5xx=0.1,429=0.05,retry-after=1,latency=0-40,drop=0.01,truncate=0.01,seed=7`:
 *  - 5xx=R        answer a share R of API calls with 500/502/503 (nothing is applied)
 *  - 429=R        answer a share R with 429 and `Retry-After: retry-after` seconds (default 1)
 *  - latency=A-B  add a random delay of A..B ms to every API call (or latency=B)
 *  - drop=R       destroy the connection of a share R without answering (nothing is applied)
 *  - truncate=R   apply the call, then send only half of the body of a share R of answers
 *  - max-in-flight=N  answer 429 (with the Retry-After above) to an API call that arrives while N
 *                 others are in flight, as a server with N workers does (issue 16's adaptive concurrency)
 *  - seed=N       makes the random choices repeatable
 * Faults are changed at run time with `PUT /_admin/faults` (body: {"spec": "..."}) and read with `GET`.
 */
export interface FaultConfig {
  error5xx: number;
  rate429: number;
  retryAfterSeconds: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  drop: number;
  truncate: number;
  /** 0: no bound. */
  maxInFlight: number;
  seed: number;
}

export const noFaults: FaultConfig = {
  error5xx: 0,
  rate429: 0,
  retryAfterSeconds: 1,
  latencyMinMs: 0,
  latencyMaxMs: 0,
  drop: 0,
  truncate: 0,
  maxInFlight: 0,
  seed: 1,
};

export function parseFaultSpec(spec: string | undefined): FaultConfig {
  const cfg: FaultConfig = { ...noFaults };
  if (!spec || spec === 'none') return cfg;
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, raw] = part.split('=');
    if (raw === undefined) throw new Error(`--faults: "${part}" is not KEY=VALUE (e.g. 5xx=0.1)`);
    const num = (v: string) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0)
        throw new Error(`--faults: ${key} needs a non-negative number, got "${v}"`);
      return n;
    };
    const share = (v: string) => {
      const n = num(v);
      if (n > 1) throw new Error(`--faults: ${key} is a share between 0 and 1, got "${v}"`);
      return n;
    };
    // Each key and how its value is read: a share between 0 and 1, or a non-negative number.
    const setters: Record<string, (v: string) => void> = {
      '5xx': (v) => (cfg.error5xx = share(v)),
      '429': (v) => (cfg.rate429 = share(v)),
      'retry-after': (v) => (cfg.retryAfterSeconds = num(v)),
      latency: (v) => {
        const [lo, hi] = v.split('-');
        cfg.latencyMinMs = hi === undefined ? 0 : num(lo ?? '0');
        cfg.latencyMaxMs = num(hi ?? lo ?? '0');
      },
      drop: (v) => (cfg.drop = share(v)),
      truncate: (v) => (cfg.truncate = share(v)),
      'max-in-flight': (v) => (cfg.maxInFlight = Math.floor(num(v))),
      seed: (v) => (cfg.seed = num(v)),
    };
    const set = Object.hasOwn(setters, key ?? '') ? setters[key!] : undefined;
    if (!set) throw new Error(`--faults: unknown key "${key}" (known: ${Object.keys(setters).join(', ')})`);
    set(raw);
  }
  return cfg;
}

/** mulberry32: small, fast, repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultCounters {
  error5xx: number;
  rate429: number;
  drop: number;
  truncate: number;
  delayed: number;
  /** 429s answered because max-in-flight calls were already in flight. */
  overLimit: number;
  /** The most API calls in flight at once that were let through. */
  maxSeenInFlight: number;
}

export type Decision =
  { kind: 'pass'; truncate: boolean } | { kind: '5xx'; status: number } | { kind: '429' } | { kind: 'drop' };

/** Decides, per API call, which fault (if any) to inject. */
export class FaultInjector {
  private cfg: FaultConfig;
  private rnd: () => number;
  readonly counters: FaultCounters = {
    error5xx: 0,
    rate429: 0,
    drop: 0,
    truncate: 0,
    delayed: 0,
    overLimit: 0,
    maxSeenInFlight: 0,
  };
  /** API calls being answered now. */
  private inFlight = 0;

  constructor(spec?: string) {
    this.cfg = parseFaultSpec(spec);
    this.rnd = seededRandom(this.cfg.seed);
  }

  get config(): FaultConfig {
    return { ...this.cfg };
  }

  set(spec: string): void {
    this.cfg = parseFaultSpec(spec);
    this.rnd = seededRandom(this.cfg.seed);
  }

  /**
   * Counts an API call in until its answer is done; true when it arrived with max-in-flight
   * others already in flight (it is then answered 429 and not counted).
   */
  enter(res: ServerResponse): boolean {
    const max = this.cfg.maxInFlight;
    if (max > 0 && this.inFlight >= max) {
      this.counters.overLimit++;
      return true;
    }
    this.inFlight++;
    this.counters.maxSeenInFlight = Math.max(this.counters.maxSeenInFlight, this.inFlight);
    res.once('close', () => this.inFlight--);
    return false;
  }

  latencyMs(): number {
    const { latencyMinMs: a, latencyMaxMs: b } = this.cfg;
    if (b <= 0) return 0;
    this.counters.delayed++;
    return Math.round(a + this.rnd() * (b - a));
  }

  decide(): Decision {
    const r = this.rnd();
    let edge = this.cfg.drop;
    if (r < edge) {
      this.counters.drop++;
      return { kind: 'drop' };
    }
    edge += this.cfg.error5xx;
    if (r < edge) {
      this.counters.error5xx++;
      const statuses = [500, 502, 503];
      return { kind: '5xx', status: statuses[Math.floor(this.rnd() * statuses.length)] ?? 500 };
    }
    edge += this.cfg.rate429;
    if (r < edge) {
      this.counters.rate429++;
      return { kind: '429' };
    }
    const truncate = this.rnd() < this.cfg.truncate;
    if (truncate) this.counters.truncate++;
    return { kind: 'pass', truncate };
  }

  get retryAfterSeconds(): number {
    return this.cfg.retryAfterSeconds;
  }
}

/**
 * Handles `/_admin/faults`; returns true when it answered. The admin path is outside the
 * API paths and is never subject to faults itself.
 */
export async function handleFaultAdmin(
  injector: FaultInjector,
  req: IncomingMessage,
  res: ServerResponse,
  readBody: () => Promise<string>,
): Promise<boolean> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/_admin/faults') return false;
  if (req.method === 'PUT' || req.method === 'POST') {
    try {
      const body = JSON.parse((await readBody()) || '{}') as { spec?: string };
      injector.set(body.spec ?? 'none');
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'bad_request', error_description: (err as Error).message }));
      return true;
    }
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ config: injector.config, counters: injector.counters }));
  return true;
}

/**
 * Applies a decision before the API handler runs. Returns 'handled' when the fault already
 * answered (or dropped) the call; otherwise the handler runs, and `truncate` tells the caller to
 * send half a body.
 */
export async function applyFault(
  injector: FaultInjector,
  res: ServerResponse,
  errorBody: (status: number) => string,
): Promise<'handled' | { truncate: boolean }> {
  const over = injector.enter(res);
  const delay = injector.latencyMs();
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const d: Decision = over ? { kind: '429' } : injector.decide();
  if (d.kind === 'drop') {
    res.socket?.destroy();
    return 'handled';
  }
  if (d.kind === '5xx') {
    res.writeHead(d.status, { 'content-type': 'application/json' });
    res.end(errorBody(d.status));
    return 'handled';
  }
  if (d.kind === '429') {
    res.writeHead(429, {
      'content-type': 'application/json',
      'retry-after': String(injector.retryAfterSeconds),
    });
    res.end(errorBody(429));
    return 'handled';
  }
  return { truncate: d.truncate };
}

/** Sends half of the body with the full Content-Length, then cuts the connection. */
export function sendTruncated(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  const buf = Buffer.from(body);
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
  // Destroy only once the half is flushed: node corks the first write until the next tick, so an
  // immediate destroy would send nothing at all and the call would look dropped, not truncated.
  res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.socket?.destroy());
}
