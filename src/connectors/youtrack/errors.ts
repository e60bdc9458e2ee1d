import type { RecordType } from '../../core/types.ts';
import { HttpError } from '../../http/errors.ts';
import { ConnectorError } from '../types.ts';
import type { ConnectorErrorCode } from '../types.ts';
import { errorBody } from './wire.ts';
import type { ErrorBody } from './wire.ts';

export const FIX = {
  url: 'check youtrack.url; it must be the YouTrack base URL, e.g. https://NAME.youtrack.cloud',
  token:
    'create a permanent token in YouTrack > Profile > Account Security with scopes YouTrack and Hub, and set youtrack.token',
  hubScope:
    'the token works for YouTrack but Hub rejects it: create a permanent token in YouTrack > Profile > Account Security with scopes YouTrack and Hub',
  permission:
    "the token's user lacks a permission: it needs Hub's Low-level Admin Write (or the Hub admin role) to read and edit users, groups and organizations",
  seats: 'the YouTrack licence has no free seat: free one (ban or delete a user) or extend the licence',
} as const;

export interface ErrorContext {
  /** What the connector was doing, e.g. "create Group". */
  action: string;
  type?: RecordType;
  record?: string;
  /** Which API answered: Hub rejections of a working token mean a missing Hub scope. */
  api?: 'youtrack' | 'hub';
}

export function errorBodyOf(err: HttpError): ErrorBody {
  const parsed = errorBody.safeParse(err.details.body);
  return parsed.success ? parsed.data : {};
}

function connectorError(
  code: ConnectorErrorCode,
  message: string,
  ctx: ErrorContext,
  err: HttpError,
  property?: string,
) {
  return new ConnectorError(code, message, {
    system: 'youtrack',
    ...(ctx.type ? { type: ctx.type } : {}),
    ...(ctx.record ? { record: ctx.record } : {}),
    ...(property ? { property } : {}),
    ...(err.status !== undefined ? { status: err.status } : {}),
    retryable: err.transient,
    cause: err,
  });
}

/**
 * Turns every HTTP failure into a ConnectorError: those the user can act on with a message that
 * says what to do; transient ones (timeouts, 5xx, 429, dropped connections, garbled answers) as
 * `retryable`, retried by the next cycle. Anything that is no HTTP failure is returned unchanged.
 */
export function mapError(err: unknown, ctx: ErrorContext): unknown {
  if (!(err instanceof HttpError)) return err;
  const at = `youtrack: ${ctx.action}${ctx.record ? ` "${ctx.record}"` : ''}`;
  if (err.transient)
    return connectorError(
      err.code === 'BAD_RESPONSE' ? 'BAD_RESPONSE' : 'UNAVAILABLE',
      `${at}: ${err.message.replace(/^youtrack: /, '')} (after ${err.details.attempts ?? 1} attempt(s)); the next cycle retries`,
      ctx,
      err,
    );
  const body = errorBodyOf(err);
  const said = [body.error, body.error_description].filter(Boolean).join(': ');
  const what = `youtrack: ${ctx.action}${ctx.record ? ` "${ctx.record}"` : ''} failed (HTTP ${err.status ?? '?'}${said ? `, ${said}` : ''})`;
  const text = `${body.error ?? ''} ${body.error_description ?? ''}`;
  if (/license_users_number_exceeded/i.test(text))
    return connectorError('SEAT_LIMIT', `${what}: ${FIX.seats}`, ctx, err);
  switch (err.code) {
    case 'UNAUTHORIZED':
      return ctx.api === 'hub'
        ? connectorError('NO_HUB_SCOPE', `${what}: ${FIX.hubScope}`, ctx, err)
        : connectorError('WRONG_TOKEN', `${what}: ${FIX.token}`, ctx, err);
    case 'FORBIDDEN':
      return connectorError('FORBIDDEN', `${what}: ${FIX.permission}`, ctx, err);
    case 'NOT_FOUND':
      return connectorError(
        'NOT_FOUND',
        `${what}: the record no longer exists in YouTrack; a full read will catch up`,
        ctx,
        err,
      );
    case 'CONFLICT':
      return connectorError(
        'DUPLICATE',
        `${what}: a record with the same unique value exists; link to it or rename`,
        ctx,
        err,
      );
    case 'BAD_REQUEST':
    case 'UNPROCESSABLE':
      if (/must-be-unique|duplicate|already exists|not unique/i.test(text))
        return connectorError(
          'DUPLICATE',
          `${what}: ${body.error_field ? `"${body.error_field}"` : 'a unique value'} is already taken in YouTrack; link to the existing record or rename this one`,
          ctx,
          err,
          body.error_field,
        );
      return connectorError(
        'INVALID_RECORD',
        `${what}: YouTrack rejected ${body.error_field ? `the value of "${body.error_field}"` : 'the record'}; correct it at the source`,
        ctx,
        err,
        body.error_field,
      );
    default:
      return connectorError(
        'BAD_RESPONSE',
        `${what}: unexpected answer; check youtrack.url and that the server is YouTrack`,
        ctx,
        err,
      );
  }
}

/** True when the server may or may not have acted: the caller must look before trying again. */
export function isAmbiguous(err: unknown): boolean {
  return err instanceof HttpError && err.transient && err.code !== 'RATE_LIMITED';
}
