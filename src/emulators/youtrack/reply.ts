import { FieldsSyntaxError, parseFields, type FieldTree } from './fields.ts';
import { DirectoryError } from './model.ts';

/** What a route answers; sent (or truncated by a fault) by the server. */
export interface Reply {
  status: number;
  /** JSON value to send; undefined sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by routes for an expected failure; becomes `{error, error_description}`. */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

export const ok = (body?: unknown): Reply => (body === undefined ? { status: 200 } : { status: 200, body });

export function errorBody(status: number, error: string, description: string): Reply {
  return { status, body: { error, error_description: description } };
}

export const notFound = (id: string) => new ApiFailure(404, 'Not Found', `Entity with id ${id} not found`);
export const badRequest = (description: string) => new ApiFailure(400, 'bad_request', description);

/** Maps expected failures to the bodies a real instance sends; anything else is a bug (500). */
export function failureReply(err: unknown): Reply {
  if (err instanceof ApiFailure) return errorBody(err.status, err.error, err.message);
  if (err instanceof FieldsSyntaxError)
    return errorBody(400, 'bad_request', 'Query string has invalid syntax');
  if (err instanceof DirectoryError) {
    switch (err.code) {
      case 'not_found':
        return errorBody(404, 'Not Found', err.message);
      case 'must_be_unique':
        return errorBody(400, 'must-be-unique', err.message);
      case 'license_users_number_exceeded':
        return errorBody(403, 'license_users_number_exceeded', err.message);
      case 'immutable':
        return errorBody(403, 'Forbidden', err.message);
      case 'invalid':
        return errorBody(400, 'bad_request', err.message);
    }
  }
  return errorBody(500, 'Internal Server Error', (err as Error).message ?? String(err));
}

export function fieldsOf(query: URLSearchParams): FieldTree | null {
  const text = query.get('fields');
  return text === null ? null : parseFields(text);
}

/**
 * `$top`/`$skip`. YouTrack answers a non-number with 500 (a Java NumberFormatException leaking);
 * Hub with 400. A negative `$top` means "all".
 */
export function paging(
  query: URLSearchParams,
  defaultTop: number,
  dialect: 'youtrack' | 'hub',
): { skip: number; top: number } {
  const num = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null || raw === '') return fallback;
    if (!/^-?\d+$/.test(raw.trim())) {
      if (dialect === 'youtrack')
        throw new ApiFailure(500, 'Internal Server Error', `For input string: "${raw}"`);
      throw badRequest(`${name} must be an integer, got "${raw}"`);
    }
    return Number(raw);
  };
  return { skip: Math.max(0, num('$skip', 0)), top: num('$top', defaultTop) };
}

export function slice<T>(items: readonly T[], skip: number, top: number): T[] {
  return items.slice(skip, top < 0 ? undefined : skip + top);
}
