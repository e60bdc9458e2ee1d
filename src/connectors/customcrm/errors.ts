import type { CustomcrmType } from '../../core/types.ts';
import { HttpError } from '../../http/errors.ts';
import { redact } from '../../log/redact.ts';
import { ConnectorError } from '../types.ts';
import { contractName } from './mapping.ts';
import type { CrmProfile } from './profile.ts';

interface Problem {
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
}

/** First property a problem+json body blames, under its contract name. */
export function blamedProperty(profile: CrmProfile, body: unknown): string | undefined {
  const errors = (body as Problem | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const first = errors[0] as { property?: unknown } | undefined;
  return typeof first?.property === 'string' ? contractName(profile, first.property) : undefined;
}

function problemText(body: unknown): string {
  const p = body as Problem | undefined;
  const text = [p?.title, p?.detail].filter((x) => typeof x === 'string').join(': ');
  return text ? ` (${redact(text).slice(0, 300)})` : '';
}

/**
 * Maps an HTTP failure to a ConnectorError that names the record and says what to do; transient
 * ones are `retryable`. Other errors (already ConnectorErrors, or bugs) pass unchanged.
 */
export function toConnectorError(
  err: unknown,
  profile: CrmProfile,
  ctx: { type?: CustomcrmType; id?: string; action: string },
): unknown {
  if (!(err instanceof HttpError)) return err;
  const what = `customcrm: ${ctx.action}${ctx.type ? ` ${ctx.type}` : ''}${ctx.id ? ` ${ctx.id}` : ''}`;
  const info = {
    system: 'customcrm' as const,
    ...(ctx.type ? { type: ctx.type } : {}),
    ...(ctx.id ? { record: ctx.id } : {}),
    ...(err.status !== undefined ? { status: err.status } : {}),
    retryable: err.transient,
    cause: err,
  };
  const detail = problemText(err.details.body);
  switch (err.code) {
    case 'UNAUTHORIZED':
      return new ConnectorError(
        'WRONG_TOKEN',
        `${what} was refused (HTTP 401)${detail}. Check the token and profile.auth.`,
        info,
      );
    case 'FORBIDDEN':
      return new ConnectorError(
        'FORBIDDEN',
        `${what} is not allowed for this token (HTTP 403)${detail}. Grant the token write access.`,
        info,
      );
    case 'NOT_FOUND':
      return new ConnectorError('NOT_FOUND', `${what}: not found (HTTP 404)${detail}.`, info);
    case 'PRECONDITION_FAILED':
      return new ConnectorError(
        'STALE',
        `${what}: the record changed since it was read (HTTP 412). Read it again and retry.`,
        info,
      );
    case 'CONFLICT':
      return new ConnectorError(
        'DUPLICATE',
        `${what}: conflicts with an existing record (HTTP 409)${detail}.`,
        info,
      );
    case 'UNPROCESSABLE':
    case 'BAD_REQUEST': {
      const property = blamedProperty(profile, err.details.body);
      return new ConnectorError(
        'INVALID_RECORD',
        `${what} was rejected (HTTP ${err.status ?? '?'})${property ? ` because of ${property}` : ''}${detail}. Fix the value in the source record.`,
        { ...info, ...(property ? { property } : {}) },
      );
    }
    case 'BAD_RESPONSE':
    case 'HTTP_ERROR':
      return new ConnectorError(
        'BAD_RESPONSE',
        `${what}: unexpected answer${err.status ? ` (HTTP ${err.status})` : ''}. Check the URL and the profile.`,
        info,
      );
    default:
      return new ConnectorError(
        'UNAVAILABLE',
        `${what} failed (${err.code}${err.status ? ` ${err.status}` : ''}) after ${err.details.attempts ?? 1} attempt(s). The next cycle retries.`,
        info,
      );
  }
}
