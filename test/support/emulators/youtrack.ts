import type { YouTrackEmulator } from '../../../src/emulators/youtrack/index.ts';

export interface Answer {
  status: number;
  text: string;
  /** Parsed JSON, or undefined for an empty body. */
  json: unknown;
  headers: Headers;
}

/** One HTTP call to the emulator with the full-scope token unless another is given. */
export async function call(
  emu: YouTrackEmulator,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = 'perm:demo',
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(emu.url + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: text ? (JSON.parse(text) as unknown) : undefined,
    headers: res.headers,
  };
}

/** Shorthand for JSON bodies in assertions. */
export type Json = Record<string, unknown> & { [k: string]: unknown };
export const asList = (a: Answer) => a.json as Json[];
export const asObject = (a: Answer) => a.json as Json;
