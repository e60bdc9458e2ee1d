import { z } from 'zod';
import type { HttpClient } from '../../http/client.ts';
import { HttpError } from '../../http/errors.ts';

export interface PageRequest<T> {
  path: string;
  fields: string;
  schema: z.ZodType<T>;
  pageSize: number;
  query?: string;
  signal?: AbortSignal | undefined;
}

/**
 * YouTrack collections are bare JSON arrays paged by `$top`/`$skip`; a page shorter than
 * `$top` is the last one.
 */
export async function* youtrackPages<T>(http: HttpClient, req: PageRequest<T>): AsyncGenerator<T[]> {
  for (let skip = 0; ; skip += req.pageSize) {
    const res = await http.get(
      req.path,
      { fields: req.fields, $top: req.pageSize, $skip: skip, query: req.query },
      req.signal ? { signal: req.signal } : {},
    );
    const page = parsePage(http, req, res.body, z.array(z.unknown()).safeParse(res.body).data);
    yield page;
    if (page.length < req.pageSize) return;
  }
}

/**
 * Hub collections come in an envelope `{skip, top, total, <key>: [...]}`; the key is absent
 * when nothing matched. Paging stops on a short page, so a changing `total` cannot loop it.
 */
export async function* hubPages<T>(
  http: HttpClient,
  req: PageRequest<T> & { key: string },
): AsyncGenerator<T[]> {
  for (let skip = 0; ; skip += req.pageSize) {
    const res = await http.get(
      req.path,
      { fields: `${req.key}(${req.fields}),total`, $top: req.pageSize, $skip: skip, query: req.query },
      req.signal ? { signal: req.signal } : {},
    );
    const envelope = z.looseObject({}).safeParse(res.body).data;
    const items = envelope ? (envelope[req.key] ?? []) : undefined;
    const page = parsePage(http, req, res.body, Array.isArray(items) ? items : undefined);
    yield page;
    if (page.length < req.pageSize) return;
  }
}

function parsePage<T>(
  http: HttpClient,
  req: PageRequest<T>,
  body: unknown,
  items: unknown[] | undefined,
): T[] {
  const bad = (why: string) =>
    new HttpError('BAD_RESPONSE', `${http.system}: GET ${req.path} answered ${why}`, {
      system: http.system,
      method: 'GET',
      url: req.path,
      body: typeof body === 'string' ? body.slice(0, 200) : undefined,
    });
  if (!items)
    throw bad(
      typeof body === 'string'
        ? 'with a non-JSON page (is youtrack.url right?)'
        : 'with an unexpected page shape',
    );
  return items.map((item, i) => {
    const parsed = req.schema.safeParse(item);
    if (!parsed.success)
      throw bad(`item ${i} with an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  });
}
