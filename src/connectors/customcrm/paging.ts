import { ConnectorError } from '../types.ts';
import { getPath } from './mapping.ts';
import type { PagingProfile } from './profile.ts';

export type PageQuery = Record<string, string | number>;
export interface FetchedPage {
  body: unknown;
  headers: Headers;
}
export interface Page {
  items: Array<Record<string, unknown>>;
  headers: Headers;
}

/**
 * Walks a list whatever its paging style. The HTTP call is passed in, so the strategies are
 * tested without a server.
 *
 * Page and offset paging end on an empty page or when the total the server announces (header or
 * envelope) is reached, never on a short page: a server that caps the page size below the one
 * asked for (silently) would otherwise end the list after its first page. A page that repeats the
 * previous one means the server ignores the paging parameters, which is an error, not a list.
 */
export async function* paginate(
  paging: PagingProfile,
  listPath: string,
  pageSize: number,
  fetchPage: (query: PageQuery) => Promise<FetchedPage>,
): AsyncGenerator<Page> {
  let cursor: string | undefined;
  let linkQuery: PageQuery | undefined;
  let pageNo = 1;
  let offset = 0;
  let previous: string | undefined;
  const seenCursors = new Set<string>();
  for (;;) {
    let query: PageQuery = {};
    if (paging.style === 'cursor') {
      query[paging.limitParam] = pageSize;
      if (cursor !== undefined) query[paging.cursorParam] = cursor;
    } else if (paging.style === 'page') {
      query[paging.pageParam] = pageNo;
      query[paging.sizeParam] = pageSize;
    } else if (paging.style === 'offset') {
      query[paging.offsetParam] = offset;
      query[paging.limitParam] = pageSize;
    } else {
      query = linkQuery ?? { [paging.limitParam]: pageSize };
    }
    const res = await fetchPage(query);
    const items = listItems(res.body, listPath);
    if (items.length > 0 && paging.style !== 'cursor') {
      // Its length and first and last items: enough to see a repeated page without serialising it whole.
      const fingerprint = JSON.stringify([items.length, items[0], items.at(-1)]);
      if (fingerprint === previous)
        throw badResponse(
          `page ${pageNo} repeats the page before it: the server ignores the paging parameters (${Object.keys(query).join(', ')}); check profile.paging`,
        );
      previous = fingerprint;
    }
    yield { items, headers: res.headers };

    if (paging.style === 'cursor') {
      const next = getPath(res.body, paging.nextCursorPath);
      if (next === null || next === undefined || next === '') return;
      const nextCursor = typeof next === 'number' ? String(next) : next;
      if (typeof nextCursor !== 'string' || seenCursors.has(nextCursor))
        throw badResponse(
          `the next cursor at "${paging.nextCursorPath}" is ${seenCursors.has(String(nextCursor)) ? 'repeated' : 'not a string'}; check profile.paging.nextCursorPath`,
        );
      seenCursors.add(nextCursor);
      cursor = nextCursor;
    } else if (paging.style === 'link') {
      const next = nextLink(res.headers.get('link'));
      if (!next) return;
      const key = new URLSearchParams(Object.entries(next).map(([k, v]) => [k, String(v)])).toString();
      if (seenCursors.has(key))
        throw badResponse('the Link header repeats a next page; check profile.paging');
      seenCursors.add(key);
      linkQuery = next;
      pageNo += 1;
    } else {
      if (items.length === 0) return;
      pageNo += 1;
      offset += items.length;
      const total = totalOf(paging, res);
      if (total !== undefined && offset >= total) return;
    }
  }
}

function totalOf(
  paging: Extract<PagingProfile, { style: 'page' | 'offset' }>,
  res: FetchedPage,
): number | undefined {
  const raw = paging.totalCountHeader
    ? res.headers.get(paging.totalCountHeader)
    : paging.totalPath
      ? getPath(res.body, paging.totalPath)
      : undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The query of the rel="next" target of an RFC 8288 Link header. Only the query is taken: the
 * path stays the list's own, so a Link never sends Tandem's credentials to another address.
 */
export function nextLink(header: string | null): PageQuery | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m || !/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2]!)) continue;
    const url = new URL(m[1]!, 'http://link.invalid/');
    return Object.fromEntries(url.searchParams.entries());
  }
  return undefined;
}

export function listItems(body: unknown, listPath: string): Array<Record<string, unknown>> {
  const list = getPath(body, listPath);
  if (!Array.isArray(list) || !list.every((x) => x !== null && typeof x === 'object'))
    throw badResponse(
      `the list response has no array of objects at "${listPath || '(the body)'}"; check profile.listPath`,
    );
  return list as Array<Record<string, unknown>>;
}

function badResponse(message: string): ConnectorError {
  // Retryable, as a garbled page read through HTTP is: the next attempt may read a whole one.
  return new ConnectorError('BAD_RESPONSE', `customcrm: ${message}`, {
    system: 'customcrm',
    retryable: true,
  });
}
