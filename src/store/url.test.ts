import { describe, expect, it } from 'vitest';
import { StoreError } from './errors.ts';
import { parseStoreUrl, redactUrl } from './url.ts';

describe('parseStoreUrl', () => {
  it('reads SQLite locations in every accepted spelling', () => {
    expect(parseStoreUrl('./tandem.db')).toEqual({
      kind: 'sqlite',
      path: './tandem.db',
      display: 'sqlite:./tandem.db',
    });
    expect(parseStoreUrl('sqlite:data/t.db').path).toBe('data/t.db');
    expect(parseStoreUrl('sqlite:///var/lib/tandem.db').path).toBe('/var/lib/tandem.db');
    expect(parseStoreUrl('sqlite://./t.db').path).toBe('./t.db');
    expect(parseStoreUrl('sqlite::memory:').path).toBe(':memory:');
    expect(parseStoreUrl('C:\\tandem\\t.db').path).toBe('C:\\tandem\\t.db');
  });

  it('rejects empty and unknown locations with a fix', () => {
    for (const [url, words] of [
      ['', 'empty'],
      ['sqlite:', 'names no file'],
      ['mysql://u:pw1234@h/db', 'mysql'],
    ] as const) {
      let err: unknown;
      try {
        parseStoreUrl(url);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('STORE_URL_INVALID');
      expect((err as StoreError).message).toContain(words);
      expect((err as StoreError).message).not.toContain('pw1234');
    }
  });

  it('redacts passwords in URLs and query strings', () => {
    expect(redactUrl('postgres://u:pw@h/db')).toBe('postgres://u:[REDACTED]@h/db');
    expect(redactUrl('postgres://h/db?password=pw')).not.toContain('=pw');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});
