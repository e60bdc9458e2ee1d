import type { HttpClient } from '../../http/client.ts';
import { HttpError } from '../../http/errors.ts';
import { ConnectorError } from '../types.ts';
import type { ConnectorErrorCode } from '../types.ts';
import type { ApiMode, Ctx } from './context.ts';
import { z } from 'zod';
import { FIX } from './errors.ts';
import { HUB, YT } from './wire.ts';

function fail(code: ConnectorErrorCode, message: string, cause?: unknown, status?: number): ConnectorError {
  return new ConnectorError(code, `youtrack: ${message}`, {
    system: 'youtrack',
    ...(status !== undefined ? { status } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

const isObject = (b: unknown): b is Record<string, unknown> =>
  typeof b === 'object' && b !== null && !Array.isArray(b);

/** What a failure of the very first call says about the configuration. */
function youtrackFailure(err: unknown): unknown {
  if (!(err instanceof HttpError)) return err;
  const s = err.status;
  switch (err.code) {
    case 'NETWORK':
      return fail('WRONG_URL', `cannot connect (${err.message.replace(/^youtrack: /, '')}): ${FIX.url}`, err);
    case 'TIMEOUT':
      return fail('UNAVAILABLE', `no answer within the timeout: ${FIX.url}, and that the server is up`, err);
    case 'NOT_FOUND':
      return fail('WRONG_URL', `GET /api/users/me answered 404: ${FIX.url}`, err, s);
    case 'UNAUTHORIZED':
      return fail('WRONG_TOKEN', `the token was rejected (HTTP 401): ${FIX.token}`, err, s);
    case 'FORBIDDEN':
      return fail('FORBIDDEN', `the token may not read users (HTTP 403): ${FIX.permission}`, err, s);
    case 'BAD_RESPONSE':
      return fail(
        'WRONG_URL',
        `the server answered with something that is not YouTrack's JSON: ${FIX.url}`,
        err,
        s,
      );
    default:
      return err.transient
        ? fail('UNAVAILABLE', `YouTrack answered HTTP ${s ?? '?'} after retries; try again later`, err, s)
        : fail('WRONG_URL', `GET /api/users/me answered HTTP ${s ?? '?'}: ${FIX.url}`, err, s);
  }
}

/**
 * Proves the URL and the token: YouTrack's `/api/users/me`, then one Hub call (a token without
 * Hub in its scope passes the first and fails here). Returns the fallbacks found on the way.
 */
export async function verifyAccess(http: HttpClient): Promise<string[]> {
  let me;
  try {
    me = await http.get(`${YT}/users/me`, { fields: 'id,login' });
  } catch (err) {
    throw youtrackFailure(err);
  }
  if (!isObject(me.body) || typeof me.body['id'] !== 'string')
    throw fail(
      'WRONG_URL',
      `GET /api/users/me did not answer with a YouTrack user (an HTML page?): ${FIX.url}`,
      undefined,
      me.status,
    );

  try {
    await http.get(`${HUB}/users`, { fields: 'users(id),total', $top: 1 });
  } catch (err) {
    if (err instanceof HttpError && (err.code === 'UNAUTHORIZED' || err.code === 'FORBIDDEN'))
      throw fail(
        'NO_HUB_SCOPE',
        `YouTrack accepts the token but Hub rejects it (HTTP ${err.status ?? '?'}): ${FIX.hubScope}`,
        err,
        err.status,
      );
    if (err instanceof HttpError && err.code === 'NOT_FOUND')
      throw fail('WRONG_URL', `Hub is not at ${HUB} under this URL: ${FIX.url}`, err, err.status);
    throw youtrackFailure(err);
  }

  const fallbacks: string[] = [];
  const events = await http.get(
    `${HUB}/events`,
    { fields: 'events(id),total', $top: 1 },
    { allowStatus: [400, 403, 404] },
  );
  if (events.status !== 200)
    fallbacks.push(
      `Hub /events is not readable (HTTP ${events.status}): changes are found by full reads only`,
    );
  return fallbacks;
}

/** 2026.1 added `/api/admin/organizations`; before it the path is unknown (404). */
export async function detectMode(http: HttpClient): Promise<ApiMode> {
  const res = await http.get(
    `${YT}/admin/organizations`,
    { fields: 'id', $top: 0 },
    { allowStatus: [403, 404] },
  );
  return res.status === 200 ? '2026' : 'hub';
}

/**
 * On 2026.1: whether Hub's `/organizations` lists none while YouTrack has some, so organizations
 * made before the upgrade cannot keep their Hub-era ids.
 */
export async function hubForgotOrganizations(ctx: Ctx): Promise<boolean> {
  const total = z.looseObject({ total: z.number().optional() });
  const hub = await ctx.http.get(
    `${HUB}/organizations`,
    { fields: 'total', $top: 0 },
    { allowStatus: [403, 404] },
  );
  const hubTotal = hub.status === 200 ? (total.safeParse(hub.body).data?.total ?? 0) : 0;
  if (hubTotal > 0) return false;
  const yt = await ctx.http.get(`${YT}/admin/organizations`, { fields: 'id', $top: 1 });
  return Array.isArray(yt.body) && yt.body.length > 0;
}
