import { defined, hubGroupBody, hubUserBody, memberBody, organizationBody, parseBody } from './bodies.ts';
import type { Route, RouteContext } from './context.ts';
import type { Quirks } from './quirks.ts';
import type { Directory } from './directory.ts';
import { hubViews, type HubViews } from './hub-views.ts';
import type { DirectoryEvent, Group, Organization, User } from './model.ts';
import { project, type View } from './project.ts';
import {
  findGroups,
  findOrganizations,
  findUsers,
  groupSortKeys,
  instant,
  orderBy,
  organizationSortKeys,
  parseQuery,
  userSortKeys,
} from './query.ts';
import { ApiFailure, badRequest, fieldsOf, notFound, ok, paging, slice, type Reply } from './reply.ts';
import { successorOf } from './youtrack-routes.ts';

/** Hub pages hold 100 entities when `$top` is absent (observed, not documented). */
const DEFAULT_TOP = 100;
const ENVELOPE_KEYS = ['skip', 'top', 'total'];

/**
 * A Hub list envelope. `fields` naming an envelope key (`total`, `users(...)`) selects from the
 * envelope; otherwise it selects from each item. No results at all is `{"total":0}`, and the
 * collection key is absent from an empty page.
 */
function list<T>(ctx: RouteContext, key: string, view: View<T>, items: readonly T[]): Reply {
  const tree = fieldsOf(ctx.query);
  const { skip, top } = paging(ctx.query, DEFAULT_TOP, 'hub');
  const selectsEnvelope = tree !== null && [...ENVELOPE_KEYS, key].some((k) => tree.has(k));
  const itemTree = selectsEnvelope ? (tree.get(key) ?? null) : tree;
  const page = slice(items, skip, top).map((e) => project('hub', view, e, itemTree));
  const full: Record<string, unknown> =
    items.length === 0
      ? { total: 0 }
      : { skip, top, total: items.length, ...(page.length ? { [key]: page } : {}) };
  if (!selectsEnvelope) return ok(full);
  return ok(Object.fromEntries(Object.entries(full).filter(([k]) => tree.has(k))));
}

function one<T>(ctx: RouteContext, view: View<T>, entity: T): Reply {
  return ok(project('hub', view, entity, fieldsOf(ctx.query)));
}

/** An update answers with an empty body unless `fields` asks for the entity. */
function afterUpdate<T>(ctx: RouteContext, view: View<T>, entity: T): Reply {
  return ctx.query.has('fields') ? one(ctx, view, entity) : ok();
}

/** `me` is the token's owner; `guest` the guest account (Hub REST "Get Me", "Get Guest"). */
function userOf(ctx: RouteContext, id: string): User {
  if (id === 'guest') {
    const guest = ctx.dir.users.all.find((u) => u.guest);
    if (!guest) throw notFound(id);
    return guest;
  }
  return ctx.dir.requireUser(id === 'me' ? ctx.author.id : id);
}

/**
 * A deleted group's id: 404, or with the quirk an unrelated group (observed on a live Hub by
 * public client code), which is why a client must check the id of what it reads.
 */
function groupOf(ctx: RouteContext, id: string): Group {
  const g = ctx.dir.groups.get(id);
  if (g) return g;
  if (ctx.quirks.deletedGroupAnswersOther && ctx.dir.deletedGroups.has(id)) return ctx.dir.allUsersGroup;
  return ctx.dir.requireGroup(id);
}

function userRoutes(v: HubViews): Route[] {
  return [
    [
      'GET',
      '/users',
      (ctx) => {
        const found = findUsers(ctx.dir, parseQuery(ctx.query.get('query')));
        return list(ctx, 'users', v.user, orderBy(found, ctx.query.get('orderBy'), userSortKeys));
      },
    ],
    ['GET', '/users/:id', (ctx, p) => one(ctx, v.user, userOf(ctx, p.id ?? ''))],
    [
      'POST',
      '/users',
      async (ctx) => {
        const b = parseBody(hubUserBody, await ctx.body());
        const login = b.login ?? b.details?.find((d) => d.login)?.login;
        if (login === undefined) throw badRequest('Request body: login: a new user needs a login');
        const email = b.profile?.email;
        const input = defined({
          login,
          name: b.name,
          email: email?.email,
          emailVerified: email?.verified,
          banned: b.banned,
          banReason: b.banReason,
        });
        const user = ctx.dir.createUser(input, ctx.author);
        ctx.dir.delayInYouTrack(user, ctx.quirks.propagationLagMs);
        return one(ctx, v.user, user);
      },
    ],
    [
      'POST',
      '/users/:id',
      async (ctx, p) => {
        const b = parseBody(hubUserBody, await ctx.body());
        const u = userOf(ctx, p.id ?? '');
        const email = b.profile?.email;
        const patch = defined({
          login: b.login,
          name: b.name,
          email: email === null ? null : email?.email,
          emailVerified: email?.verified,
          banned: b.banned,
          banReason: b.banReason,
        });
        ctx.dir.updateUser(u.hubId, patch, ctx.author);
        return afterUpdate(ctx, v.user, u);
      },
    ],
    [
      'DELETE',
      '/users/:id',
      (ctx, p) => {
        const user = userOf(ctx, p.id ?? '');
        ctx.dir.deleteUser(user.hubId, successorOf(ctx, 'user'), ctx.author);
        return ok();
      },
    ],
  ];
}

/** `POST /{container}/:id/users` adds the user named in the body; `DELETE .../users/:userId` removes one. */
function memberRoutes(
  v: HubViews,
  container: 'usergroups' | 'organizations',
  add: 'addMember' | 'addOrganizationMember',
  remove: 'removeMember' | 'removeOrganizationMember',
): Route[] {
  return [
    [
      'POST',
      `/${container}/:id/users`,
      async (ctx, p) => {
        const user = ctx.dir.requireUser(parseBody(memberBody, await ctx.body()).id);
        ctx.dir[add](p.id ?? '', user.hubId, ctx.author);
        return one(ctx, v.user, user);
      },
    ],
    [
      'DELETE',
      `/${container}/:id/users/:userId`,
      (ctx, p) => {
        ctx.dir[remove](p.id ?? '', p.userId ?? '', ctx.author);
        return ok();
      },
    ],
  ];
}

function groupRoutes(v: HubViews): Route[] {
  const groups = (ctx: RouteContext) =>
    orderBy(findGroups(ctx.dir, parseQuery(ctx.query.get('query'))), ctx.query.get('orderBy'), groupSortKeys);
  return [
    ['GET', '/usergroups', (ctx) => list(ctx, 'usergroups', v.group, groups(ctx))],
    ['GET', '/usergroups/:id', (ctx, p) => one(ctx, v.group, groupOf(ctx, p.id ?? ''))],
    [
      'POST',
      '/usergroups',
      async (ctx) => {
        const b = parseBody(hubGroupBody, await ctx.body());
        if (b.name === undefined) throw badRequest('Request body: name: a new group needs a name');
        const input = defined({ name: b.name, description: b.description, parentId: b.parent?.id });
        return one(ctx, v.group, ctx.dir.createGroup(input, ctx.author));
      },
    ],
    [
      'POST',
      '/usergroups/:id',
      async (ctx, p) => {
        const b = parseBody(hubGroupBody, await ctx.body());
        const patch = defined({
          name: b.name,
          description: b.description,
          parentId: b.parent === null ? null : b.parent?.id,
        });
        return afterUpdate(ctx, v.group, ctx.dir.updateGroup(p.id ?? '', patch, ctx.author));
      },
    ],
    [
      'DELETE',
      '/usergroups/:id',
      (ctx, p) => {
        const group = ctx.dir.requireGroup(p.id ?? '');
        ctx.dir.deleteGroup(group.hubId, successorOf(ctx, 'group'), ctx.author);
        return ok();
      },
    ],
    ...memberRoutes(v, 'usergroups', 'addMember', 'removeMember'),
  ];
}

function organizationRoutes(v: HubViews): Route[] {
  const orgs = (ctx: RouteContext) =>
    orderBy(
      findOrganizations(ctx.dir, parseQuery(ctx.query.get('query'))),
      ctx.query.get('orderBy'),
      organizationSortKeys,
    );
  return [
    ['GET', '/organizations', (ctx) => list(ctx, 'organizations', v.organization, orgs(ctx))],
    [
      'GET',
      '/organizations/:id',
      (ctx, p) => one(ctx, v.organization, ctx.dir.requireOrganization(p.id ?? '')),
    ],
    [
      'POST',
      '/organizations',
      async (ctx) => {
        const b = parseBody(organizationBody, await ctx.body());
        if (b.name === undefined) throw badRequest('Request body: name: a new organization needs a name');
        return one(
          ctx,
          v.organization,
          ctx.dir.createOrganization(defined({ ...b, name: b.name }), ctx.author),
        );
      },
    ],
    [
      'POST',
      '/organizations/:id',
      async (ctx, p) => {
        const patch = defined(parseBody(organizationBody, await ctx.body()));
        return afterUpdate(ctx, v.organization, ctx.dir.updateOrganization(p.id ?? '', patch, ctx.author));
      },
    ],
    [
      'DELETE',
      '/organizations/:id',
      (ctx, p) => {
        ctx.dir.deleteOrganization(p.id ?? '', ctx.author);
        return ok();
      },
    ],
    ...memberRoutes(v, 'organizations', 'addOrganizationMember', 'removeOrganizationMember'),
  ];
}

/**
 * From 2026.1 Hub's organization endpoints no longer return or update YouTrack data. Writes are
 * refused with a pointer to the YouTrack endpoint; reads list the organizations made before the
 * upgrade (`kept`) or none (`gone`), as the quirk says (public material does not tell which).
 */
function detachedOrganizationRoutes(v: HubViews, quirks: Quirks): Route[] {
  const refuse = (): Reply => {
    throw new ApiFailure(
      403,
      'Forbidden',
      'Organizations are managed in YouTrack: use /api/admin/organizations',
    );
  };
  const kept = (ctx: RouteContext) =>
    quirks.hubOrganizationsAfterUpgrade === 'kept'
      ? findOrganizations(ctx.dir, parseQuery(ctx.query.get('query'))).filter((o) => o.hubEra)
      : [];
  const keptOne = (ctx: RouteContext, p: Record<string, string>): Reply => {
    const o = kept(ctx).find((x) => x.hubId === p.id);
    if (!o) throw notFound(p.id ?? '');
    return one(ctx, v.organization, o);
  };
  return [
    ['GET', '/organizations', (ctx) => list(ctx, 'organizations', v.organization, kept(ctx))],
    ['GET', '/organizations/:id', keptOne],
    ['POST', '/organizations', refuse],
    ['POST', '/organizations/:id', refuse],
    ['DELETE', '/organizations/:id', refuse],
    ['POST', '/organizations/:id/users', refuse],
    ['DELETE', '/organizations/:id/users/:userId', refuse],
  ];
}

const ENTITY_TYPES: Record<string, string> = {
  user: 'user',
  group: 'userGroup',
  usergroup: 'userGroup',
  organization: 'organization',
};

function idNumber(key: string, value: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`events: ${key} needs a number, got "${value}"`);
  return Number(value);
}

/**
 * `GET /events`: the audit log in id order, filtered by the query keys of Hub's "Get All
 * Events" reference: `afterId:` (exclusive), `beforeId:` (inclusive), `after:`, `before:`,
 * `entityType:`, `event:` (created, updated, deleted), `target:` (an entity id or its login or
 * name) and `author:` (a user id or login).
 */
function events(ctx: RouteContext, v: HubViews): Reply {
  let afterId = 0;
  let afterTime = -Infinity;
  const filters: Array<(e: DirectoryEvent) => boolean> = [];
  if (ctx.api === '2026') filters.push((e) => e.targetType !== 'organization');
  const alts = parseQuery(ctx.query.get('query'));
  if (alts.length > 1) throw badRequest('events: "or" is not supported in the events query');
  for (const { key, value } of alts[0] ?? []) {
    const lower = value.toLowerCase();
    if (key === 'afterId') afterId = idNumber(key, value);
    else if (key === 'beforeId') {
      const before = idNumber(key, value);
      filters.push((e) => Number(e.id) <= before);
    } else if (key === 'after') afterTime = instant(value);
    else if (key === 'before') filters.push((e) => e.timestamp < instant(value));
    else if (key === 'entityType') {
      const t = ENTITY_TYPES[lower];
      if (!t) throw badRequest(`events: unknown entityType "${value}" (known: user, group, organization)`);
      filters.push((e) => e.targetType === t);
    } else if (key === 'event') filters.push((e) => e.type === lower);
    else if (key === 'target')
      filters.push((e) => e.targetId === value || e.targetPresentation.toLowerCase() === lower);
    else if (key === 'author')
      filters.push((e) => e.author === value || e.authorPresentation.toLowerCase() === lower);
    else
      throw badRequest(
        `events: unknown query key "${key}" (known: afterId, beforeId, after, before, entityType, event, target, author)`,
      );
  }
  const found = ctx.dir.events.since(afterId, afterTime).filter((e) => filters.every((f) => f(e)));
  return list(ctx, 'events', v.event, found);
}

/** The routes under `/hub/api/rest`. */
export function hubRoutes(dir: Directory, api: RouteContext['api'], quirks: Quirks): Route[] {
  const visible =
    api === 'hub'
      ? () => true
      : quirks.hubOrganizationsAfterUpgrade === 'kept'
        ? (o: Organization) => o.hubEra
        : () => false;
  const v = hubViews(dir, visible);
  return [
    ...userRoutes(v),
    ...groupRoutes(v),
    ...(api === '2026' ? detachedOrganizationRoutes(v, quirks) : organizationRoutes(v)),
    ['GET', '/events', (ctx) => events(ctx, v)],
  ];
}
