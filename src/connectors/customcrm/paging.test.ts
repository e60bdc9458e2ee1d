import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../types.ts';
import { paginate } from './paging.ts';
import type { PageQuery } from './paging.ts';
import { loadProfile } from './profile.ts';

const ITEMS = Array.from({ length: 7 }, (_, i) => ({ Id: `r${i}` }));

async function collect(profile: unknown, respond: (q: PageQuery) => unknown) {
  const p = loadProfile(profile);
  const queries: PageQuery[] = [];
  const ids: string[] = [];
  for await (const page of paginate(p.paging, p.listPath, 3, async (q) => {
    queries.push(q);
    return { body: respond(q), headers: new Headers() };
  }))
    ids.push(...page.items.map((i) => String(i.Id)));
  return { ids, queries };
}

describe('paginate', () => {
  it('follows a cursor at a nested path', async () => {
    const { ids, queries } = await collect(
      { paging: { style: 'cursor', nextCursorPath: 'meta.next' } },
      (q) => {
        const start = Number(q.cursor ?? 0);
        const next = start + 3 < ITEMS.length ? String(start + 3) : null;
        return { data: ITEMS.slice(start, start + 3), meta: { next } };
      },
    );
    expect(ids).toEqual(ITEMS.map((i) => i.Id));
    expect(queries).toEqual([{ limit: 3 }, { limit: 3, cursor: '3' }, { limit: 3, cursor: '6' }]);
  });

  it('counts 1-based pages over a bare array', async () => {
    const { ids, queries } = await collect({ paging: { style: 'page' }, listPath: '' }, (q) =>
      ITEMS.slice((Number(q.page) - 1) * 3, Number(q.page) * 3),
    );
    expect(ids).toHaveLength(7);
    // A short page does not end the list (the server may cap the size): the empty page 4 does.
    expect(queries.map((q) => q.page)).toEqual([1, 2, 3, 4]);
  });

  it('steps offsets over `results`, with an extra call when the last page is full', async () => {
    const six = ITEMS.slice(0, 6);
    const { ids, queries } = await collect({ paging: { style: 'offset' }, listPath: 'results' }, (q) => ({
      results: six.slice(Number(q.offset), Number(q.offset) + 3),
    }));
    expect(ids).toHaveLength(6);
    expect(queries.map((q) => q.offset)).toEqual([0, 3, 6]);
  });

  it('fails with BAD_RESPONSE on a missing list or a repeated cursor', async () => {
    await expect(collect({ listPath: 'items' }, () => ({ data: [] }))).rejects.toBeInstanceOf(ConnectorError);
    const err = await collect({}, () => ({ data: [{ Id: 'x' }], nextCursor: 'same' })).catch(
      (e: unknown) => e,
    );
    expect((err as ConnectorError).code).toBe('BAD_RESPONSE');
    expect((err as ConnectorError).message).toContain('repeated');
  });
});
