import type { FlowName } from '../core/types.ts';
import { isUniqueViolation } from './driver.ts';
import { StoreError } from './errors.ts';
import { toLink } from './rows.ts';
import { checkText, json, type SqlContext } from './sql-context.ts';
import { linksStatement, type LinkQuery } from './statements.ts';
import type { Link, LinkPatch, LinkStatus, NewLink } from './types.ts';

/** Links fetched per round trip by iterateLinks: bounded memory whatever the table size. */
export const LINK_PAGE_SIZE = 500;

/** The links of the store: the pairs of records kept in sync, with their bases. */
export class LinkTable {
  constructor(private readonly db: SqlContext) {}

  async getLink(id: number): Promise<Link | null> {
    const [row] = await this.db.all(this.db.q.getLink, [id]);
    return row ? toLink(row) : null;
  }

  async findLink(query: { flow: FlowName; ytId?: string; crmId?: string }): Promise<Link | null> {
    if (query.ytId === undefined && query.crmId === undefined) {
      throw new StoreError('INVALID_ARGUMENT', `findLink in flow ${query.flow} needs a ytId or a crmId`);
    }
    const [row] =
      query.ytId !== undefined
        ? await this.db.all(this.db.q.findLinkByYt, [
            query.flow,
            query.ytId,
            query.crmId ?? null,
            this.db.connection,
          ])
        : await this.db.all(this.db.q.findLinkByCrm, [query.flow, query.crmId ?? null, this.db.connection]);
    return row ? toLink(row) : null;
  }

  async findLinks(query: {
    flow: FlowName;
    ytIds: readonly string[];
    crmIds?: readonly string[];
  }): Promise<Link[]> {
    const byId = new Map<number, Link>();
    for (const [sql, ids] of [
      [this.db.q.findLinksByYt, query.ytIds],
      [this.db.q.findLinksByCrm, query.crmIds ?? []],
    ] as const) {
      if (ids.length === 0) continue;
      for (const row of await this.db.all(sql, [query.flow, JSON.stringify(ids), this.db.connection]))
        byId.set(Number(row['id']), toLink(row));
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  async listLinks(query: LinkQuery): Promise<Link[]> {
    return (await this.db.query(linksStatement(this.db.q, query, this.db.connection))).map(toLink);
  }

  async *iterateLinks(flow: FlowName): AsyncIterable<Link> {
    let afterId = 0;
    for (;;) {
      const rows = await this.db.all(this.db.q.pageLinks, [
        flow,
        afterId,
        LINK_PAGE_SIZE,
        this.db.connection,
      ]);
      for (const row of rows) yield toLink(row);
      const last = rows.at(-1);
      if (!last || rows.length < LINK_PAGE_SIZE) return;
      afterId = Number(last.id);
    }
  }

  async searchLinks(text: string, limit: number): Promise<Link[]> {
    const pattern = `%${text
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return (await this.db.all(this.db.q.searchLinks, [pattern, limit, this.db.connection])).map(toLink);
  }

  async insertLink(link: NewLink): Promise<Link> {
    const [inserted] = await this.insertLinks([link]);
    return inserted!;
  }

  async insertLinks(links: readonly NewLink[]): Promise<Link[]> {
    if (links.length === 0) return [];
    const rows = links.map((link) => {
      const what = linkName(link);
      checkText([link.ytId, link.crmId, link.label, link.ytHash, link.crmHash, link.crmVersion], what);
      return {
        flow: link.flow,
        yt_type: link.ytType,
        yt_id: link.ytId,
        crm_type: link.crmType,
        crm_id: link.crmId,
        origin: link.origin,
        status: link.status,
        base: json(link.base, `${what}, base`),
        yt_hash: link.ytHash,
        crm_hash: link.crmHash,
        crm_version: link.crmVersion,
        label: link.label,
        search: searchText(link),
      };
    });
    try {
      const inserted = (
        await this.db.insert(this.db.q.insertLinks, [JSON.stringify(rows), this.db.now(), this.db.connection])
      ).map(toLink);
      // RETURNING promises no order: each link is found again by its pair.
      const byPair = new Map(inserted.map((l) => [`${l.ytId}\u0000${l.crmId}`, l]));
      return links.map((l) => byPair.get(`${l.ytId}\u0000${l.crmId}`)!);
    } catch (err) {
      throw linkError(err, links[0]!, links.length);
    }
  }

  updateLink(id: number, patch: LinkPatch): Promise<void> {
    return this.db.driver.transaction(async (c) => {
      const [row] = await c.all(this.db.q.getLinkForUpdate, [id]);
      if (!row)
        throw new StoreError('NOT_FOUND', `link ${id} does not exist; re-read the links before updating`);
      const next = { ...toLink(row), ...definedOnly(patch) };
      const what = linkName(next);
      checkText([next.ytId, next.crmId, next.label, next.ytHash, next.crmHash, next.crmVersion], what);
      const base = json(next.base, `${what}, base`);
      try {
        await c.run(this.db.q.updateLink, [
          id,
          next.status,
          base,
          next.ytHash,
          next.crmHash,
          next.crmVersion,
          next.label,
          searchText(next),
          next.ytId,
          next.crmId,
          this.db.now(),
        ]);
      } catch (err) {
        throw linkError(err, next);
      }
    });
  }

  async countLinks(): Promise<Array<{ flow: FlowName; status: LinkStatus; count: number }>> {
    const rows = await this.db.all(this.db.q.countLinks, [this.db.connection]);
    return rows.map((r) => ({
      flow: String(r.flow) as FlowName,
      status: String(r.status) as LinkStatus,
      count: Number(r.count),
    }));
  }
}

/** Lowercased in JavaScript, not SQL, so search folds non-ASCII letters alike in every database. */
function searchText(link: Pick<Link, 'label' | 'ytId' | 'crmId'>): string {
  return `${link.label}\n${link.ytId}\n${link.crmId}`.toLowerCase();
}

function linkName(link: Pick<Link, 'flow' | 'ytId' | 'crmId'>): string {
  return `link ${link.flow} YouTrack ${link.ytId} / Customcrm ${link.crmId}`;
}

function definedOnly(patch: LinkPatch): LinkPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as LinkPatch;
}

function linkError(err: unknown, link: Pick<Link, 'flow' | 'ytId' | 'crmId'>, count = 1): unknown {
  if (!isUniqueViolation(err)) return err;
  const which =
    count === 1
      ? `YouTrack ${link.ytId} or Customcrm ${link.crmId} is`
      : `a record of the ${count} links from YouTrack ${link.ytId} on is`;
  return new StoreError(
    'LINK_EXISTS',
    `flow ${link.flow}: ${which} already in an active link; ` +
      'find it with findLink and update it instead of inserting another',
    { cause: err },
  );
}
