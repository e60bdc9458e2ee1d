import type { RemoteRecord } from '../../core/types.ts';
import type { Ctx } from './context.ts';
import { hubPages, youtrackPages } from './paging.ts';
import { groupRecord, hubOrgRecord, userRecord, ytOrgRecord } from './records.ts';
import {
  HUB,
  YT,
  fields,
  hubGroup,
  hubOrg,
  hubOrgKey,
  hubQueryValue,
  hubUser,
  ytGroup,
  ytOrg,
  ytUser,
} from './wire.ts';
import { HttpError } from '../../http/errors.ts';
import type { HubUser, YtGroup, YtUser } from './wire.ts';
import { z } from 'zod';

/** Hub lookups per query: keeps the request line short (about 2 kB) whatever the page size. */
const LOGINS_PER_QUERY = 40;

type Signal = AbortSignal | undefined;

/** Hub's three collections as the reads ask for them; `opts` narrows a read (a query, a page size). */
type HubList = { query?: string; pageSize?: number; signal?: Signal };
const hubList = <T>(ctx: Ctx, key: string, fields: string, schema: z.ZodType<T>, o: HubList = {}) =>
  hubPages(ctx.http, {
    path: `${HUB}/${key}`,
    key,
    fields,
    schema,
    pageSize: o.pageSize ?? ctx.pageSize,
    ...(o.query !== undefined ? { query: o.query } : {}),
    signal: o.signal,
  });
const hubUsers = (ctx: Ctx, o?: HubList) => hubList(ctx, 'users', fields.hubUser, hubUser, o);
const hubGroups = (ctx: Ctx, o?: HubList) => hubList(ctx, 'usergroups', fields.hubGroup, hubGroup, o);
const hubOrgs = (ctx: Ctx, o?: HubList) => hubList(ctx, 'organizations', fields.hubOrg, hubOrg, o);

/**
 * Users: page through YouTrack `/api/users` and join each page with Hub by ringId. Hub is read
 * at the same offset first (both list users in creation order on the instances we know, so one
 * Hub call usually covers the page); users that page missed are fetched with one
 * `login: a or login: b ...` query per 40 users, and any still missing alone by id. So the join
 * stays right whatever the order, and costs one extra call per page when the orders agree.
 * Memory holds one page plus the ids already yielded (offset paging can shift a user into the
 * next page during the read; it must not come out twice).
 */
export async function* readUsers(ctx: Ctx, signal?: Signal): AsyncGenerator<RemoteRecord> {
  const seen = new Set<string>();
  await youtrackGroups(ctx, signal);
  const pages = youtrackPages(ctx.http, {
    path: `${YT}/users`,
    fields: fields.ytUser,
    schema: ytUser,
    pageSize: ctx.pageSize,
    signal,
  });
  let skip = 0;
  let more = true;
  try {
    for (;;) {
      // The Hub page at the same offset is asked for together with the YouTrack page (issue 16: one
      // round trip per page instead of two), whenever another YouTrack page will be asked for: after
      // a short page `youtrackPages` ends without one.
      const sameOffset = more ? hubPageAt(ctx, skip, signal) : undefined;
      sameOffset?.catch(() => undefined); // awaited below when the page has people; else unused
      const next = await pages.next();
      if (next.done) break;
      const page = next.value;
      more = page.length >= ctx.pageSize;
      const people = page.filter((u) => !u.guest && u.ringId && !seen.has(u.ringId));
      const hub =
        people.length > 0
          ? await hubUsersFor(ctx, people, skip, signal, sameOffset)
          : new Map<string, HubUser>();
      skip += page.length;
      for (const yt of people) {
        ctx.ids.users.remember(yt.ringId, yt.id);
        const rec = userRecord(hub.get(yt.ringId ?? ''), yt, ctx.groupTypes);
        if (!rec || seen.has(rec.id)) continue;
        seen.add(rec.id);
        yield rec;
      }
    }
  } finally {
    await pages.return(undefined);
  }
  yield* notYetInYouTrack(ctx, seen, signal);
}

/** How long a user this connector made in Hub may take to reach YouTrack's `/api/users`. */
const PROPAGATION_MS = 10 * 60_000;

/**
 * Hub hands new users to YouTrack asynchronously (a public provisioning script waits up to 60 s).
 * A user this connector created in Hub, or read from Hub without knowing its YouTrack id, that
 * `/api/users` does not show yet is read from Hub alone, so the full read stays complete and
 * never makes it look deleted.
 */
async function* notYetInYouTrack(ctx: Ctx, seen: Set<string>, signal: Signal): AsyncGenerator<RemoteRecord> {
  const now = ctx.now();
  for (const [id, at] of [...ctx.recentUsers]) {
    if (now - at > PROPAGATION_MS) ctx.recentUsers.delete(id);
    else if (!seen.has(id)) {
      const hub = await getHubUser(ctx, id, signal);
      const rec = hub && !hub.guest ? userRecord(hub, undefined, ctx.groupTypes) : null;
      if (rec) {
        seen.add(rec.id);
        yield rec;
      }
    } else ctx.recentUsers.delete(id);
  }
}

/** Hub's users page at an offset (its body), as `hubUsersFor` reads it first. */
function hubPageAt(ctx: Ctx, skip: number, signal: Signal): Promise<unknown> {
  return ctx.http
    .get(
      `${HUB}/users`,
      { fields: `users(${fields.hubUser}),total`, $skip: skip, $top: ctx.pageSize },
      signal ? { signal } : {},
    )
    .then((res) => res.body);
}

async function hubUsersFor(
  ctx: Ctx,
  people: YtUser[],
  skip: number,
  signal: Signal,
  sameOffset: Promise<unknown> = hubPageAt(ctx, skip, signal),
): Promise<Map<string, HubUser>> {
  const found = new Map<string, HubUser>();
  const wanted = new Set(people.map((u) => u.ringId));
  for (const u of hubUserPage(await sameOffset)) if (wanted.has(u.id)) found.set(u.id, u);
  const missing = people.filter((u) => !found.has(u.ringId ?? ''));
  for (let i = 0; i < missing.length; i += LOGINS_PER_QUERY) {
    const chunk = missing.slice(i, i + LOGINS_PER_QUERY);
    const query = chunk.map((u) => `login: ${hubQueryValue(u.login)}`).join(' or ');
    for await (const page of hubUsers(ctx, {
      pageSize: Math.max(ctx.pageSize, LOGINS_PER_QUERY),
      query,
      signal,
    }))
      for (const u of page) if (wanted.has(u.id)) found.set(u.id, u);
  }
  // A login the query language could not express: ask for that user alone.
  for (const u of missing)
    if (u.ringId && !found.has(u.ringId)) {
      const one = await getHubUser(ctx, u.ringId, signal);
      if (one) found.set(one.id, one);
    }
  return found;
}

/** Items of a Hub users page that parse; the lookups after it catch any that do not. */
function hubUserPage(body: unknown): HubUser[] {
  const items = z.looseObject({ users: z.array(z.unknown()).optional() }).safeParse(body).data?.users ?? [];
  return items.flatMap((item) => {
    const parsed = hubUser.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * One entity by id, or null when it is not there. The answer must carry the id asked for: Hub
 * was seen answering `GET /usergroups/{id of a deleted group}` with another group, which read as
 * is would rename that record into the other one.
 */
async function getOne<T extends { id: string }>(
  ctx: Ctx,
  path: string,
  id: string,
  fieldSel: string,
  schema: z.ZodType<T>,
  signal?: Signal,
): Promise<T | null> {
  const res = await ctx.http.get(
    `${path}/${encodeURIComponent(id)}`,
    { fields: fieldSel },
    { allowStatus: [400, 404], ...(signal ? { signal } : {}) },
  );
  if (res.status === 404 || res.status === 400) return null;
  const entity = schema.parse(res.body);
  if (entity.id === id) return entity;
  ctx.logger.warn('youtrack: a read by id answered with another entity; taken as not found', {
    path,
    asked: id,
    answered: entity.id,
  });
  return null;
}

function getHubUser(ctx: Ctx, id: string, signal?: Signal): Promise<HubUser | null> {
  return getOne(ctx, `${HUB}/users`, id, fields.hubUser, hubUser, signal);
}

export async function readUser(ctx: Ctx, id: string): Promise<RemoteRecord | null> {
  const hub = await getHubUser(ctx, id);
  if (!hub || hub.guest) return null;
  const ytId = ctx.ids.users.known(hub.id);
  // Not seen in /api/users yet: it may be on its way from Hub (see notYetInYouTrack).
  if (!ytId && !ctx.recentUsers.has(hub.id)) ctx.recentUsers.set(hub.id, ctx.now());
  return userRecord(hub, ytId ? { id: ytId, login: hub.login } : undefined, await groupTypes(ctx));
}

/** YouTrack's `$type` of every group by Hub id, read once and refreshed by every full read. */
async function groupTypes(ctx: Ctx, signal?: Signal): Promise<ReadonlyMap<string, string>> {
  if (ctx.groupTypes.size === 0) await youtrackGroups(ctx, signal);
  return ctx.groupTypes;
}

/** YouTrack's view of the groups, by ringId: few enough to hold (one entry per group). */
async function youtrackGroups(ctx: Ctx, signal?: Signal): Promise<Map<string, YtGroup>> {
  const out = new Map<string, YtGroup>();
  for await (const page of youtrackPages(ctx.http, {
    path: `${YT}/groups`,
    fields: fields.ytGroup,
    schema: ytGroup,
    pageSize: ctx.pageSize,
    signal,
  }))
    for (const g of page)
      if (g.ringId) {
        out.set(g.ringId, g);
        ctx.ids.groups.remember(g.ringId, g.id);
      }
  ctx.groupTypes.clear();
  for (const [ringId, g] of out) if (g.$type) ctx.groupTypes.set(ringId, g.$type);
  return out;
}

/** Groups: every Hub group, joined with YouTrack's `/api/groups` by ringId for the alias. */
export async function* readGroups(ctx: Ctx, signal?: Signal): AsyncGenerator<RemoteRecord> {
  const yt = await youtrackGroups(ctx, signal);
  const seen = new Set<string>();
  for await (const page of hubGroups(ctx, { signal }))
    for (const g of page) {
      if (seen.has(g.id)) continue;
      seen.add(g.id);
      yield groupRecord(g, yt.get(g.id));
    }
}

export async function readGroup(ctx: Ctx, id: string): Promise<RemoteRecord | null> {
  const g = await getOne(ctx, `${HUB}/usergroups`, id, fields.hubGroup, hubGroup);
  if (!g) return null;
  const ytId = ctx.ids.groups.known(g.id);
  const $type = (await groupTypes(ctx)).get(g.id);
  return groupRecord(g, ytId ? { id: ytId, ...($type ? { $type } : {}) } : undefined);
}

/**
 * Organizations. Before 2026.1 they are Hub's. From 2026.1 they are YouTrack's
 * (`/api/admin/organizations`: id, key, name, description; no ringId), and each keeps the Hub
 * id it had before the upgrade, found by its unique key in what Hub's `/organizations` still
 * lists, so that links made in the Hub era hold. An organization Hub does not know (made
 * since, or Hub lists none) is known by its YouTrack id.
 */
export async function* readOrganizations(ctx: Ctx, signal?: Signal): AsyncGenerator<RemoteRecord> {
  const seen = new Set<string>();
  if (ctx.mode() === '2026') {
    const hubIds = await hubOrganizationIdsByKey(ctx, signal);
    for await (const page of youtrackPages(ctx.http, {
      path: `${YT}/admin/organizations`,
      fields: fields.ytOrg,
      schema: ytOrg,
      pageSize: ctx.pageSize,
      signal,
    }))
      for (const o of page) {
        const id = (o.key ? hubIds.get(o.key.toLowerCase()) : undefined) ?? o.id;
        ctx.ids.orgs.remember(id, o.id);
        if (!seen.has(id)) yield ytOrgRecord(o, id);
        seen.add(id);
      }
    return;
  }
  for await (const page of hubOrgs(ctx, { signal }))
    for (const o of page) {
      if (!seen.has(o.id)) yield hubOrgRecord(o);
      seen.add(o.id);
    }
}

/** Hub's organizations by key (lower case); empty when Hub lists none or refuses. */
async function hubOrganizationIdsByKey(ctx: Ctx, signal?: Signal): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  try {
    for await (const page of hubList(ctx, 'organizations', fields.hubOrgKey, hubOrgKey, {
      pageSize: Math.max(ctx.pageSize, 500),
      signal,
    }))
      for (const o of page) if (o.key) out.set(o.key.toLowerCase(), o.id);
  } catch (err) {
    if (!(err instanceof HttpError && ['FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'].includes(err.code)))
      throw err;
  }
  return out;
}

const YOUTRACK_ID = /^\d+-\d+$/;

/** The YouTrack id of a 2026.1 organization record, or undefined when there is none. */
export async function organizationYouTrackId(
  ctx: Ctx,
  id: string,
  signal?: Signal,
): Promise<string | undefined> {
  const known = ctx.ids.orgs.known(id);
  if (known) return known;
  if (YOUTRACK_ID.test(id)) return id;
  for await (const rec of readOrganizations(ctx, signal)) if (rec.id === id) break;
  return ctx.ids.orgs.known(id);
}

export async function readOrganization(ctx: Ctx, id: string): Promise<RemoteRecord | null> {
  if (ctx.mode() === '2026') {
    const ytId = await organizationYouTrackId(ctx, id);
    if (!ytId) return null;
    const o = await getOne(ctx, `${YT}/admin/organizations`, ytId, fields.ytOrg, ytOrg);
    return o ? ytOrgRecord(o, id) : null;
  }
  const o = await getOne(ctx, `${HUB}/organizations`, id, fields.hubOrg, hubOrg);
  return o ? hubOrgRecord(o) : null;
}

/** Logins and group and organization names are unique regardless of case and outer spaces. */
const sameKey = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Natural-key lookups for findCreated: Hub's query narrows, an exact comparison decides. */
export async function findUserByLogin(ctx: Ctx, login: string): Promise<RemoteRecord | null> {
  for await (const page of hubUsers(ctx, { query: `login: ${hubQueryValue(login)}` }))
    for (const u of page) if (sameKey(u.login, login)) return userRecord(u, undefined, await groupTypes(ctx));
  return null;
}

export async function findGroupByName(ctx: Ctx, name: string): Promise<RemoteRecord | null> {
  for await (const page of hubGroups(ctx, { query: `name: ${hubQueryValue(name)}` }))
    for (const g of page) if (sameKey(g.name, name)) return groupRecord(g, undefined);
  return null;
}

/** Hub's organizations take a `name:` query; 2026.1's list has no documented filter, so it is scanned. */
export async function findOrganizationByName(ctx: Ctx, name: string): Promise<RemoteRecord | null> {
  if (ctx.mode() === '2026') {
    for await (const o of readOrganizations(ctx)) if (sameKey(String(o.props['name']), name)) return o;
    return null;
  }
  for await (const page of hubOrgs(ctx, { query: `name: ${hubQueryValue(name)}` }))
    for (const o of page) if (sameKey(o.name, name)) return hubOrgRecord(o);
  return null;
}
