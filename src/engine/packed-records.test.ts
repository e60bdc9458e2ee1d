import { describe, expect, it } from 'vitest';
import type { RemoteRecord } from '../core/types.ts';
import { PackedRecords } from './packed-records.ts';

const contact: RemoteRecord = {
  system: 'customcrm',
  type: 'Contact',
  id: 'con_1',
  props: { FirstName: 'Ada', LastName: null, Active: true, Score: 7, Tags: ['a', 'b'] },
  hash: 'h1',
  version: '3',
  updatedAt: '2026-11-30T00:00:00.000Z',
  externalRefs: [{ System: 'YouTrack', Type: 'User', Id: 'u-1' }],
};

describe('PackedRecords', () => {
  it('gives back an equal record, a fresh object each time', () => {
    const p = new PackedRecords();
    p.add(contact);
    const a = p.get('con_1');
    expect(a).toEqual(contact);
    expect(a).not.toBe(contact);
    expect(p.get('con_1')).not.toBe(a);
  });

  it('answers undefined for an id it does not hold, and lists the ids it does', () => {
    const p = new PackedRecords();
    p.add(contact);
    p.add({ ...contact, id: 'con_2' });
    expect(p.get('con_9')).toBeUndefined();
    expect(p.has('con_2')).toBe(true);
    expect(p.has('con_9')).toBe(false);
    expect(p.size).toBe(2);
    expect([...p.ids()]).toEqual(['con_1', 'con_2']);
  });
});
