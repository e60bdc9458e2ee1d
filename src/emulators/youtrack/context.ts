import type { Directory } from './directory.ts';
import type { Author } from './model.ts';
import type { Quirks } from './quirks.ts';
import { ApiFailure, type Reply } from './reply.ts';

/** What a route sees of one API call. */
export interface RouteContext {
  dir: Directory;
  api: 'hub' | '2026';
  quirks: Quirks;
  method: string;
  /** Path segments after the API prefix (`/api` or `/hub/api/rest`), URI-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** The parsed JSON body; `{}` when empty. */
  body(): Promise<unknown>;
  /** The token's owner, recorded as the author of edits. */
  author: Author;
}

export type Handler = (ctx: RouteContext, params: Record<string, string>) => Reply | Promise<Reply>;
export type Route = [method: string, pattern: string, handler: Handler];

/** Finds the route for the call; an unknown path is 404, a known path with another method 405. */
export function dispatch(ctx: RouteContext, routes: readonly Route[]): Reply | Promise<Reply> {
  let pathKnown = false;
  for (const [method, pattern, handler] of routes) {
    const params = match(pattern, ctx.segments);
    if (!params) continue;
    pathKnown = true;
    if (method === ctx.method) return handler(ctx, params);
  }
  if (pathKnown)
    throw new ApiFailure(405, 'Method Not Allowed', `${ctx.method} is not supported on this resource`);
  throw new ApiFailure(404, 'Not Found', `No resource at /${ctx.segments.join('/')}`);
}

function match(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = pattern.split('/').filter(Boolean);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    const s = segments[i] ?? '';
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return null;
  }
  return params;
}
