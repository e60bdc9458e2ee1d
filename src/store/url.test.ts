import { describe, expect, it } from 'vitest';
import { StoreError } from './errors.ts';
import { parseStoreUrl, redactUrl } from './url.ts';

const sqlitePath = (url: string): string => {
  const location = parseStoreUrl(url);
  if (location.kind !== 'sqlite') throw new Error(`${url} should be SQLite`);
  return location.path;
};

describe('parseStoreUrl', () => {
  it('reads SQLite locations in every accepted spelling', () => {
    expect(parseStoreUrl('./tandem.db')).toEqual({
      kind: 'sqlite',
      path: './tandem.db',
      display: 'sqlite:./tandem.db',
    });
    expect(sqlitePath('sqlite:data/t.db')).toBe('data/t.db');
    expect(sqlitePath('sqlite:///var/lib/tandem.db')).toBe('/var/lib/tandem.db');
    expect(sqlitePath('sqlite://./t.db')).toBe('./t.db');
    expect(sqlitePath('sqlite::memory:')).toBe(':memory:');
    expect(sqlitePath('C:\\tandem\\t.db')).toBe('C:\\tandem\\t.db');
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
