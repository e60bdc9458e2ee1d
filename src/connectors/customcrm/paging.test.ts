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

describe('paginate: servers that cap or ignore the page size, totals and Link headers', () => {
  async function walk(
    profile: unknown,
    respond: (q: PageQuery) => { body: unknown; headers?: Record<string, string> },
  ) {
    const p = loadProfile(profile);
    const queries: PageQuery[] = [];
    const ids: string[] = [];
    for await (const page of paginate(p.paging, p.listPath, 100, async (q) => {
      queries.push(q);
      const r = respond(q);
      return { body: r.body, headers: new Headers(r.headers) };
    }))
      ids.push(...page.items.map((i) => String(i.Id)));
    return { ids, queries };
  }
  const all = Array.from({ length: 25 }, (_, i) => ({ Id: `r${i}` }));

  it('reads on past a page the server shortened (its own cap of 10), to the announced total', async () => {
    const { ids, queries } = await walk({ paging: { style: 'offset', totalPath: 'total' } }, (q) => ({
      body: { data: all.slice(Number(q.offset), Number(q.offset) + 10), total: 25 },
    }));
    expect(ids).toHaveLength(25);
    expect(queries.map((q) => q.offset)).toEqual([0, 10, 20]);
  });

  it('fails when the server ignores the page parameter (the same page twice)', async () => {
    const err = await walk({ paging: { style: 'page' } }, () => ({ body: { data: all.slice(0, 10) } })).catch(
      (e: unknown) => e,
    );
    expect((err as ConnectorError).message).toMatch(/ignores the paging parameters/);
  });

  it('follows rel="next" of a Link header, taking only its query', async () => {
    const { ids, queries } = await walk(
      { paging: { style: 'link', limitParam: '_limit' }, listPath: '' },
      (q) => {
        const page = Number(q._page ?? 1);
        const next =
          page < 3 ? `<http://elsewhere.example/people?_page=${page + 1}&_limit=10>; rel="next", ` : '';
        return {
          body: all.slice((page - 1) * 10, page * 10),
          headers: { link: `${next}<http://x/people?_page=1&_limit=10>; rel="first"` },
        };
      },
    );
    expect(ids).toHaveLength(25);
    expect(queries).toEqual([{ _limit: 100 }, { _page: '2', _limit: '10' }, { _page: '3', _limit: '10' }]);
  });
});
