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
 */
export async function* paginate(
  paging: PagingProfile,
  listPath: string,
  pageSize: number,
  fetchPage: (query: PageQuery) => Promise<FetchedPage>,
): AsyncGenerator<Page> {
  let cursor: string | undefined;
  let pageNo = 1;
  let offset = 0;
  const seenCursors = new Set<string>();
  for (;;) {
    const query: PageQuery = {};
    if (paging.style === 'cursor') {
      query[paging.limitParam] = pageSize;
      if (cursor !== undefined) query[paging.cursorParam] = cursor;
    } else if (paging.style === 'page') {
      query[paging.pageParam] = pageNo;
      query[paging.sizeParam] = pageSize;
    } else {
      query[paging.offsetParam] = offset;
      query[paging.limitParam] = pageSize;
    }
    const res = await fetchPage(query);
    const items = listItems(res.body, listPath);
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
    } else {
      if (items.length < pageSize || items.length === 0) return;
      pageNo += 1;
      offset += items.length;
    }
  }
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
  return new ConnectorError('BAD_RESPONSE', `customcrm: ${message}`, { system: 'customcrm' });
}
