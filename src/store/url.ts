import { redact } from '../log/redact.ts';
import { StoreError } from './errors.ts';

export type StoreLocation =
  { kind: 'sqlite'; path: string; display: string } | { kind: 'postgres'; url: string; display: string };

/**
 * `sqlite:PATH`, `sqlite://PATH` or a plain path select SQLite; `postgres://` or
 * `postgresql://` select PostgreSQL. `display` is safe for messages: it never holds a password.
 */
export function parseStoreUrl(url: string): StoreLocation {
  const trimmed = url.trim();
  if (trimmed === '') {
    throw new StoreError(
      'STORE_URL_INVALID',
      'the store URL is empty; set it to a file path (sqlite:./tandem.db) or postgres://user@host/db',
    );
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch (err) {
      throw new StoreError(
        'STORE_URL_INVALID',
        `the store URL ${redactUrl(trimmed)} is not a valid URL; write it as postgres://user:password@host:5432/database`,
        { cause: err },
      );
    }
    return { kind: 'postgres', url: trimmed, display: redactUrl(parsed.href) };
  }
  // A one-letter "scheme" is a Windows drive: C:\tandem.db is a plain path.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'sqlite') {
    throw new StoreError(
      'STORE_URL_INVALID',
      `the store URL ${redactUrl(trimmed)} uses "${scheme}:", which Tandem does not know; use sqlite:PATH or postgres://...`,
    );
  }
  const path = scheme ? trimmed.slice('sqlite:'.length).replace(/^\/\/(?=\/|\.|~|[A-Za-z]:)/, '') : trimmed;
  if (path === '') {
    throw new StoreError(
      'STORE_URL_INVALID',
      'the store URL "sqlite:" names no file; write sqlite:./tandem.db',
    );
  }
  return { kind: 'sqlite', path, display: `sqlite:${path}` };
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return redact(url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:[REDACTED]@'));
}
