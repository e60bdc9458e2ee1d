import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendTruncated } from '../shared/faults.ts';
import type { FieldError } from './fields.ts';

export const PROBLEM_BASE = 'https://tandem.dev/problems/';
const MAX_BODY_BYTES = 1024 * 1024;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TITLES: Record<string, string> = {
  unauthorized: 'Missing or wrong bearer token',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'invalid-parameter': 'Invalid query parameter or header',
  'malformed-json': 'The body is not a JSON object',
  'payload-too-large': 'The body is too large',
  'validation-failed': 'The record is not valid',
  'idempotency-key-reused': 'Idempotency-Key reused with a different body',
  'precondition-failed': 'The record changed since it was read',
  'rate-limited': 'Too many requests',
  'server-error': 'Server error',
};

export function problem(status: number, slug: string, detail: string, errors?: FieldError[]): Problem {
  return {
    type: PROBLEM_BASE + slug,
    title: TITLES[slug] ?? slug,
    status,
    detail,
    ...(errors && errors.length ? { errors } : {}),
  };
}

/** An answer the router built; `send` writes it, cut in half when a truncate fault was drawn. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Body already serialised (idempotent replays send the stored bytes). */
  raw?: string;
}

export function send(res: ServerResponse, reply: Reply, truncate: boolean): void {
  const headers: Record<string, string> = { ...reply.headers };
  let text = reply.raw;
  if (text === undefined && reply.body !== undefined) text = JSON.stringify(reply.body);
  if (text !== undefined) {
    const isProblem = reply.status >= 400;
    headers['content-type'] = isProblem ? 'application/problem+json' : 'application/json; charset=utf-8';
  }
  if (truncate && text !== undefined) return sendTruncated(res, reply.status, headers, text);
  res.writeHead(
    reply.status,
    text === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(text)) },
  );
  res.end(text);
}

export function problemReply(p: Problem, headers?: Record<string, string>): Reply {
  return { status: p.status, body: p, ...(headers ? { headers } : {}) };
}

export class BodyTooLarge extends Error {}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge(`the body exceeds ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a write body; a string means "answer 400 with this detail". */
export function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return `the body is not valid JSON (${(err as Error).message})`;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return 'the body must be a JSON object with the properties to write';
  return value as Record<string, unknown>;
}

/** JSON with sorted keys: two bodies that differ only in key order or spacing are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
