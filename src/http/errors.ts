/**
 * Every failure of a remote call is an HttpError with a stable `code`. Connectors map the
 * codes they can explain (wrong token, seat limit, ...) to messages that say what to do.
 */
export type HttpErrorCode =
  | 'TIMEOUT'
  | 'NETWORK'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'UNPROCESSABLE'
  | 'HTTP_ERROR'
  | 'BAD_RESPONSE';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly details: {
      system: string;
      method: string;
      url: string;
      status?: number;
      body?: unknown;
      attempts?: number;
    },
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  /** True for failures that another attempt may cure. */
  get transient(): boolean {
    return (
      this.code === 'TIMEOUT' ||
      this.code === 'NETWORK' ||
      this.code === 'RATE_LIMITED' ||
      this.code === 'SERVER_ERROR' ||
      this.code === 'BAD_RESPONSE'
    );
  }
}

export function codeForStatus(status: number): HttpErrorCode {
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 412) return 'PRECONDITION_FAILED';
  if (status === 422) return 'UNPROCESSABLE';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'SERVER_ERROR';
  return 'HTTP_ERROR';
}
