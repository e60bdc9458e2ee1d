import { HttpClient } from '../../http/client.ts';
import type { HttpAuth } from '../../http/client.ts';
import { redact } from '../../log/redact.ts';
import type { PageQuery } from './paging.ts';

/** The outcome of one conformance check (./conformance.ts). */
export type CheckStatus = 'passed' | 'missing' | 'wrong' | 'not-checked';

/** Every status is an answer for the conformance check: it reports them instead of throwing. */
const ANY_STATUS = Array.from({ length: 500 }, (_, i) => i + 100);

export interface ProbeResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Raw HTTP for the conformance check, with and without credentials. */
export class Probe {
  private readonly authed: HttpClient;
  private readonly anonymous: HttpClient;

  constructor(baseUrl: string, auth: HttpAuth, timeoutMs = 15_000) {
    const common = { system: 'customcrm', baseUrl, timeoutMs, retry: { maxAttempts: 2, baseDelayMs: 50 } };
    this.authed = new HttpClient({ ...common, auth });
    this.anonymous = new HttpClient({ ...common, auth: { kind: 'none' } });
  }

  request(
    method: string,
    path: string,
    opts: { query?: PageQuery; body?: unknown; headers?: Record<string, string>; anonymous?: boolean } = {},
  ): Promise<ProbeResponse> {
    const client = opts.anonymous ? this.anonymous : this.authed;
    return client.request({
      method,
      path,
      allowStatus: ANY_STATUS,
      idempotent: method !== 'POST',
      ...(opts.query ? { query: opts.query } : {}),
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
  }
}

/** Status, content type and a short body excerpt; never a secret. */
export function evidence(res: ProbeResponse, note = ''): string {
  const type = res.headers.get('content-type')?.split(';')[0];
  const body =
    res.body === undefined ? '' : typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  const excerpt = body ? ` ${redact(body).slice(0, 120)}${body.length > 120 ? '…' : ''}` : '';
  return `HTTP ${res.status}${type ? ` ${type}` : ''}${excerpt}${note ? ` – ${note}` : ''}`;
}

export function isProblem(res: ProbeResponse): boolean {
  const type = res.headers.get('content-type') ?? '';
  const b = res.body as { status?: unknown; title?: unknown } | undefined;
  return /application\/problem\+json/i.test(type) && typeof b?.title === 'string' && b.status === res.status;
}
