import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../util/clock.ts';
import { FaultInjector, applyFault, handleFaultAdmin } from '../shared/faults.ts';
import { dispatch, type Route, type RouteContext } from './context.ts';
import { defaultQuirks, type Quirks } from './quirks.ts';
import { Directory } from './directory.ts';
import type { MembershipEvents } from './model.ts';
import { hubRoutes } from './hub-routes.ts';
import { badRequest, errorBody, failureReply, type Reply } from './reply.ts';
import { rolesOf } from './roles.ts';
import { seedDemo, seedGenerated } from './seed.ts';
import { youtrackRoutes } from './youtrack-routes.ts';

export { Directory } from './directory.ts';
export { DirectoryError } from './model.ts';
export type { Quirks } from './quirks.ts';
export { parseMembershipEvents, parseQuirks } from './quirks.ts';
export type { DirectoryEvent, Group, MembershipEvents, Organization, User } from './model.ts';

export interface YouTrackEmulatorOptions {
  /** 0 = a free port (default 0). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Full-scope token (YouTrack + Hub); default 'perm:demo'. */
  token?: string;
  /** Token without Hub scope; default 'perm:youtrack-only'. */
  youtrackOnlyToken?: string;
  /** Default 'demo' when no counts are given. */
  seed?: 'demo' | 'empty';
  /** A generated directory (deterministic for `randomSeed`). */
  users?: number;
  groups?: number;
  orgs?: number;
  /** Seed for generated data and Hub ids; default 1. */
  randomSeed?: number;
  /** Default 'hub' (YouTrack before 2026.1). */
  api?: 'hub' | '2026';
  /** Fault spec, see src/emulators/shared/faults.ts. */
  faults?: string;
  /** Licence seats; creating a user past it fails with license_users_number_exceeded. */
  seatLimit?: number;
  /** Time source for event timestamps and creation times; default the system clock. */
  clock?: Clock;
  /**
   * Where Hub logs a membership edit, which public material does not show: on the group or
   * organization (`container`, default) or on the user (`member`).
   */
  membershipEvents?: MembershipEvents;
  /** Whether the full-scope token's owner may read roles (Hub "Read Role"); false answers 403. Default true. */
  rolesReadable?: boolean;
  /** Undocumented behaviours of real instances, each off or at its default unless set. */
  quirks?: Partial<Quirks>;
}

export interface YouTrackEmulator {
  /** YouTrack base, e.g. http://127.0.0.1:PORT; Hub is url + '/hub/api/rest'. */
  url: string;
  port: number;
  /** The in-memory directory, for tests to inspect and edit directly. */
  directory: Directory;
  faults: FaultInjector;
  close(): Promise<void>;
}

const HUB_PREFIX = '/hub/api/rest';
const YT_PREFIX = '/api';
const JSON_HEADERS = { 'content-type': 'application/json;charset=UTF-8' };

export function createDirectory(opts: YouTrackEmulatorOptions = {}): Directory {
  const dir = new Directory({
    clock: opts.clock,
    randomSeed: opts.randomSeed,
    seatLimit: opts.seatLimit,
    membershipEvents: opts.membershipEvents,
  });
  const generated = opts.users !== undefined || opts.groups !== undefined || opts.orgs !== undefined;
  if (generated)
    seedGenerated(
      dir,
      { users: opts.users ?? 0, groups: opts.groups ?? 0, orgs: opts.orgs ?? 0 },
      opts.randomSeed ?? 1,
    );
  else if ((opts.seed ?? 'demo') === 'demo') seedDemo(dir);
  rolesOf(dir).readable = opts.rolesReadable ?? true;
  return dir;
}

export async function startYouTrackEmulator(opts: YouTrackEmulatorOptions = {}): Promise<YouTrackEmulator> {
  const directory = createDirectory(opts);
  const faults = new FaultInjector(opts.faults);
  const api = opts.api ?? 'hub';
  const quirks: Quirks = { ...defaultQuirks, ...opts.quirks };
  const tokens = new Map<string, { hub: boolean }>([
    [opts.token ?? 'perm:demo', { hub: true }],
    [opts.youtrackOnlyToken ?? 'perm:youtrack-only', { hub: false }],
  ]);
  const apis: Array<[prefix: string, routes: Route[], hub: boolean]> = [
    [HUB_PREFIX, hubRoutes(directory, api, quirks), true],
    [YT_PREFIX, youtrackRoutes(directory, api), false],
  ];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, failureReply(err), false);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bodyText = memo(() => readBody(req));
    if (await handleFaultAdmin(faults, req, res, bodyText)) return;
    const url = new URL(req.url ?? '/', 'http://emulator');
    const target = apis.find(([prefix]) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
    if (!target) return send(res, errorBody(404, 'Not Found', `No resource at ${url.pathname}`), false);
    const fault = await applyFault(faults, res, (status) =>
      JSON.stringify({
        error: status === 429 ? 'Too Many Requests' : 'Server Error',
        error_description: 'Injected fault',
      }),
    );
    if (fault === 'handled') return;
    const [prefix, routes, needsHub] = target;
    const reply = await answer(req, url, prefix, routes, needsHub, bodyText);
    send(res, reply, fault.truncate);
  }

  async function answer(
    req: IncomingMessage,
    url: URL,
    prefix: string,
    routes: Route[],
    needsHub: boolean,
    bodyText: () => Promise<string>,
  ): Promise<Reply> {
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const scope = token === undefined ? undefined : tokens.get(token);
    if (!scope) return errorBody(401, 'Unauthorized', 'You are not logged in.');
    if (needsHub && !scope.hub)
      return errorBody(
        403,
        'Forbidden',
        'The token does not include Hub in its scope; create a permanent token with the Hub scope',
      );
    try {
      const ctx: RouteContext = {
        dir: directory,
        api,
        quirks,
        method: req.method ?? 'GET',
        segments: url.pathname.slice(prefix.length).split('/').filter(Boolean).map(decodeSegment),
        query: url.searchParams,
        body: async () => parseJson(await bodyText()),
        author: directory.defaultAuthor,
      };
      return await dispatch(ctx, routes);
    } catch (err) {
      return failureReply(err);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    directory,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Sends a reply; a truncating fault cuts the body, or the connection when there is no body. */
function send(res: ServerResponse, reply: Reply, truncate: boolean): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  const headers: Record<string, string> = { ...JSON_HEADERS, ...reply.headers };
  if (truncate) return sendHalf(res, reply.status, headers, body);
  res.writeHead(reply.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * Sends the head and half the body with the full Content-Length, then cuts the connection once
 * that half is flushed (the shared `sendTruncated` destroys the socket before the write leaves,
 * so the client sees no answer at all). With an empty body the connection is cut before the head.
 */
function sendHalf(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  const buf = Buffer.from(body);
  if (buf.length === 0) {
    res.socket?.destroy();
    return;
  }
  res.writeHead(status, { ...headers, 'content-length': String(buf.length) });
  res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.socket?.destroy());
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('Request body is not valid JSON');
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`Path segment "${segment}" is not valid percent-encoding`);
  }
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
