import { describe, expect, it } from 'vitest';
import { HttpError } from '../../http/errors.ts';
import { ConnectorError } from '../types.ts';
import { isAmbiguous, mapError } from './errors.ts';

const httpError = (code: HttpError['code'], status: number | undefined, body?: unknown) =>
  new HttpError(code, `youtrack: POST x failed with HTTP ${status}`, {
    system: 'youtrack',
    method: 'POST',
    url: 'http://h/x',
    ...(status !== undefined ? { status } : {}),
    body,
  });

const codeOf = (err: unknown) => (err instanceof ConnectorError ? err.code : (err as HttpError).code);

describe('mapError', () => {
  const ctx = { action: 'create Group', type: 'Group' as const, record: 'Support' };

  it('maps the failures a user can act on', () => {
    expect(codeOf(mapError(httpError('UNAUTHORIZED', 401), ctx))).toBe('WRONG_TOKEN');
    expect(codeOf(mapError(httpError('UNAUTHORIZED', 401), { ...ctx, api: 'hub' }))).toBe('NO_HUB_SCOPE');
    expect(codeOf(mapError(httpError('NOT_FOUND', 404), ctx))).toBe('NOT_FOUND');
    expect(codeOf(mapError(httpError('BAD_REQUEST', 400, { error: 'must-be-unique' }), ctx))).toBe(
      'DUPLICATE',
    );
    expect(
      codeOf(mapError(httpError('BAD_REQUEST', 400, { error: 'license_users_number_exceeded' }), ctx)),
    ).toBe('SEAT_LIMIT');
  });

  it('names the rejected field and says what to do', () => {
    const err = mapError(httpError('BAD_REQUEST', 400, { error: 'bad_request', error_field: 'name' }), ctx);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('INVALID_RECORD');
    expect((err as ConnectorError).info.property).toBe('name');
    expect((err as ConnectorError).message).toContain('"Support"');
  });

  it('wraps transient failures as retryable ConnectorErrors, the others as not retryable', () => {
    const e = httpError('SERVER_ERROR', 503);
    const mapped = mapError(e, ctx);
    expect(mapped).toBeInstanceOf(ConnectorError);
    expect((mapped as ConnectorError).code).toBe('UNAVAILABLE');
    expect((mapped as ConnectorError).retryable).toBe(true);
    expect((mapped as ConnectorError).info.cause).toBe(e);
    const garbled = mapError(httpError('BAD_RESPONSE', 200), ctx) as ConnectorError;
    expect([garbled.code, garbled.retryable]).toEqual(['BAD_RESPONSE', true]);
    const odd = mapError(httpError('HTTP_ERROR', 418), ctx) as ConnectorError;
    expect([odd.code, odd.retryable]).toEqual(['BAD_RESPONSE', false]);
    expect((mapError(httpError('BAD_REQUEST', 400), ctx) as ConnectorError).retryable).toBe(false);
    const bug = new TypeError('x');
    expect(mapError(bug, ctx)).toBe(bug);
    expect(isAmbiguous(e)).toBe(true);
    expect(isAmbiguous(httpError('RATE_LIMITED', 429))).toBe(false);
    expect(isAmbiguous(httpError('BAD_REQUEST', 400))).toBe(false);
  });
});
