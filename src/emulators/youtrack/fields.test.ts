import { describe, expect, it } from 'vitest';
import { FieldsSyntaxError, parseFields, type FieldTree } from './fields.ts';

const plain = (t: FieldTree | null): unknown =>
  t === null ? null : Object.fromEntries([...t].map(([k, v]) => [k, plain(v)]));

describe('fields grammar', () => {
  it('parses flat and nested selections', () => {
    expect(plain(parseFields('id,login,ringId'))).toEqual({ id: null, login: null, ringId: null });
    expect(plain(parseFields('tags(id,name),profiles(general(timezone(id)))'))).toEqual({
      tags: { id: null, name: null },
      profiles: { general: { timezone: { id: null } } },
    });
  });

  it('reads slash paths as nesting and merges repeated branches', () => {
    expect(plain(parseFields('id,profile/email/email,profile/email/verified,profile(avatar(url))'))).toEqual({
      id: null,
      profile: { email: { email: null, verified: null }, avatar: { url: null } },
    });
  });

  it('accepts $type, spaces and empty items', () => {
    expect(plain(parseFields(' id , $type,,name,'))).toEqual({ id: null, $type: null, name: null });
    expect(parseFields('').size).toBe(0);
  });

  it.each(['a,b(c', 'a)', 'a(b))', 'a()', 'a b', 'a,b(c,d(e)', 'a/', 'a%b'])('rejects %s', (text) => {
    expect(() => parseFields(text)).toThrow(FieldsSyntaxError);
  });
});
