import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  startCustomcrmServer,
  type CustomcrmServer,
  type CustomcrmServerOptions,
} from '../../../src/emulators/customcrm/index.ts';
import { validateResponse } from './customcrm-openapi.ts';

export interface CallResult {
  status: number;
  headers: Headers;
  // Tests read arbitrary properties of answers; the OpenAPI check already vouches for the shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  token?: string | null;
  /** Skip the contract check (for answers that break it on purpose, e.g. a disabled capability). */
  unchecked?: boolean;
}

/** `/v1/customers/cus_000001?x=1` → `/customers/{id}`. */
export function templateOf(path: string): string {
  const [, , resource, id, op] = path.split('?')[0]?.split('/') ?? [];
  if (id === 'batch' && op !== undefined) return `/${resource ?? ''}/batch/${op}`;
  return `/${resource ?? ''}${id === undefined ? '' : '/{id}'}`;
}

/** A fetch for tests: every answer is checked against the OpenAPI document. */
export function client(server: CustomcrmServer) {
  return async function call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? 'crm-demo-token' : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(server.url + path, {
      method,
      headers,
      ...(opts.body === undefined
        ? {}
        : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
    });
    const text = await res.text();
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    if (!opts.unchecked)
      expect(validateResponse(method, templateOf(path), res.status, body, res.headers)).toEqual([]);
    return { status: res.status, headers: res.headers, body };
  };
}

/** A temp directory for SQLite files, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'customcrm-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A server on a fresh SQLite file; `stop` closes it and removes the file. */
export async function startOnFile(opts: CustomcrmServerOptions = {}) {
  const { dir, cleanup } = tempDir();
  const server = await startCustomcrmServer({ db: join(dir, 'crm.sqlite'), ...opts });
  return {
    server,
    call: client(server),
    dir,
    stop: async () => {
      await server.close();
      cleanup();
    },
  };
}
