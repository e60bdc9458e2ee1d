import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  contentHash,
  formatTimestamp,
  fromWire,
  isTombstone,
  parseTimestamp,
  toWire,
  versionFromEtag,
} from './mapping.ts';
import { contractProfile } from './profile.ts';
import { snakeProfile } from '../../../test/support/customcrm/profiles.ts';

describe('mapping', () => {
  it('parses and formats every timestamp format', () => {
    const iso = '2026-03-01T12:00:00.250Z';
    expect(parseTimestamp(iso, 'iso')).toBe(iso);
    expect(parseTimestamp(Date.parse(iso), 'epoch-ms')).toBe(iso);
    expect(parseTimestamp('1772366400', 'epoch-s')).toBe('2026-03-01T12:00:00.000Z');
    expect(parseTimestamp('garbage', 'iso')).toBeUndefined();
    expect(parseTimestamp(null, 'iso')).toBeUndefined();
    expect(formatTimestamp(iso, 'epoch-ms')).toBe(String(Date.parse(iso)));
    expect(formatTimestamp(iso, 'epoch-s')).toBe('1772366400');
    expect(formatTimestamp('2026-03-01T13:00:00+01:00', 'iso')).toBe('2026-03-01T12:00:00.000Z');
  });

  it('maps wire names to contract names and back', () => {
    const r = fromWire(snakeProfile, 'Contact', {
      id: 7,
      first_name: 'Ada',
      customer_id: 'cus_1',
      active: true,
      updated_at: 1772366400000,
    });
    expect(isTombstone(r)).toBe(false);
    if (isTombstone(r)) return;
    expect(r).toMatchObject({
      id: '7',
      updatedAt: '2026-03-01T12:00:00.000Z',
      version: '2026-03-01T12:00:00.000Z',
    });
    expect(r.props).toMatchObject({ FirstName: 'Ada', CustomerId: 'cus_1', Active: true, LastName: null });
    expect(r.externalRefs).toBeUndefined();
    expect(toWire(snakeProfile, { FirstName: 'Ada', ZipCode: null })).toEqual({
      first_name: 'Ada',
      zip_code: null,
    });
  });

  it('prefers the ETag for the version and recognises tombstones', () => {
    expect(versionFromEtag('W/"12"')).toBe('12');
    const r = fromWire(contractProfile, 'Customer', { Id: 'cus_1', Name: 'N', Version: 3 }, '"4"');
    expect(r.version).toBe('4');
    const t = fromWire(contractProfile, 'Customer', {
      Id: 'cus_2',
      Deleted: true,
      Version: 5,
      ExternalRefs: [],
    });
    expect(isTombstone(t) && t.id).toBe('cus_2');
  });

  it('hashes content independently of key order', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: null, c: 'x' }] })).toBe('{"a":[1,{"c":"x","d":null}],"b":1}');
    expect(contentHash({ Name: 'A', City: 'B' })).toBe(contentHash({ City: 'B', Name: 'A' }));
    expect(contentHash({ Name: 'A' })).not.toBe(contentHash({ Name: 'B' }));
  });
});
