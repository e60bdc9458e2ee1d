import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../types.ts';
import { findCreatedRecord, type Listed } from './lookup.ts';
import { fromWire, isTombstone } from './mapping.ts';
import type { PageQuery } from './paging.ts';
import { loadProfile } from './profile.ts';

const base = {
  idProperty: 'id',
  idType: 'integer',
  properties: {
    Contact: { Email: 'email', FirstName: 'first', Username: 'login' },
    Customer: { Name: 'name' },
  },
  externalRefs: false,
} as const;
const withReference = loadProfile({ ...base, referenceProperty: 'yt' });
/** No reference property, no external references: the natural key is all there is. */
const keyOnly = loadProfile(base);
const rows = [
  { id: 1, email: 'ann@x.org', first: 'Ann', login: 'ann' },
  { id: 2, email: 'Twin@x.org', first: 'One', login: 'one' },
  { id: 3, email: 'twin@x.org', first: 'Two', login: 'two' },
  { id: 4, email: 'twin@x.org', first: 'Two', login: 'two' },
  { id: 5, email: null, first: 'Nomail', login: 'nomail', yt: 'yt-5' },
  { id: 6, email: 'twin@x.org', first: 'Three', login: 'three' },
];

function find(
  props: Record<string, unknown>,
  ytId: string,
  taken: number[] = [],
  queries: PageQuery[] = [],
  profile = keyOnly,
) {
  return findCreatedRecord({
    profile,
    type: 'Contact',
    props: props as never,
    ref: { System: 'YouTrack', Type: 'User', Id: ytId },
    taken: async (id) => taken.includes(Number(id)),
    list: async function* (q): AsyncIterable<Listed> {
      queries.push(q);
      for (const wire of rows) {
        const r = fromWire(profile, 'Contact', wire);
        if (!isTombstone(r)) yield { record: r, wire };
      }
    },
  });
}

describe('findCreatedRecord: reference, else natural key with a uniqueness check', () => {
  it('finds by the reference property first (a user without an e-mail too), filtering by it', async () => {
    const queries: PageQuery[] = [];
    expect((await find({ FirstName: 'Nomail' }, 'yt-5', [], queries, withReference))?.id).toBe('5');
    expect(queries[0]).toEqual({ yt: 'yt-5' });
    // Every record Tandem creates carries the reference: none found is none created, even when
    // a record with the same e-mail exists (made in the CRM by someone).
    expect(await find({ Email: 'ann@x.org', FirstName: 'Ann' }, 'yt-new', [], [], withReference)).toBeNull();
    expect((await find({ Email: 'ann@x.org', FirstName: 'Ann' }, 'yt-new'))?.id).toBe('1');
  });

  it('prefers the exact e-mail, and skips records linked to someone else', async () => {
    expect((await find({ Email: 'Twin@x.org', FirstName: 'One' }, 'yt-a'))?.id).toBe('2');
    expect(await find({ Email: 'Twin@x.org', FirstName: 'One' }, 'yt-a', [2])).toBeNull();
  });

  it('tells twins apart by the values the create sent; identical ones give the lowest id', async () => {
    expect((await find({ Email: 'twin@x.org', FirstName: 'Three' }, 'yt-b'))?.id).toBe('6');
    expect((await find({ Email: 'twin@x.org', FirstName: 'Two' }, 'yt-b'))?.id).toBe('3');
    expect((await find({ Email: 'twin@x.org', FirstName: 'Two' }, 'yt-b', [3]))?.id).toBe('4');
  });

  it('throws DUPLICATE when several records share the key and none holds the values sent', async () => {
    const err = await find({ Email: 'twin@x.org', FirstName: 'Edited' }, 'yt-c').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe('DUPLICATE');
    expect((err as ConnectorError).message).toContain('profile.referenceProperty');
  });

  it('finds nothing without a key value: the create is planned again', async () => {
    expect(await find({ FirstName: 'Ghost' }, 'yt-none')).toBeNull();
  });
});
