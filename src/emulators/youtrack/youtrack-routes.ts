import { defined, memberBody, organizationBody, parseBody, ytGroupBody, ytUserBody } from './bodies.ts';
import type { Route, RouteContext } from './context.ts';
import type { Collection } from './collection.ts';
import { youtrackIdPattern } from './ids.ts';
import { transitiveUsers } from './memberships.ts';
import type { Group, Organization, User } from './model.ts';
import { project, type View } from './project.ts';
import { badRequest, fieldsOf, notFound, ok, paging, slice, type Reply } from './reply.ts';
import { youtrackViews, type YouTrackViews } from './youtrack-views.ts';

/** YouTrack pages hold 42 entities when `$top` is absent. */
const DEFAULT_TOP = 42;

/** Resolves a YouTrack id (`1-6`); a Hub UUID in its place is 400, an unknown id 404. */
function resolve<T extends User | Group | Organization>(items: Collection<T>, id: string): T {
  if (!youtrackIdPattern.test(id)) throw badRequest('Invalid structure of entity id');
  const e = items.getByYtId(id);
  if (!e) throw notFound(id);
  return e;
}

/** A user Hub made moments ago may not have reached YouTrack yet (propagation lag). */
function userOf(ctx: RouteContext, id: string): User {
  if (id === 'me') return ctx.dir.requireUser(ctx.author.id);
  const u = resolve(ctx.dir.users, id);
  if (!ctx.dir.inYouTrack(u)) throw notFound(id);
  return u;
}

/** `?successor=` on a delete: required unless the quirk is off (reported required on 2026.2). */
export function successorOf(ctx: RouteContext, what: string): string | undefined {
  const successor = ctx.query.get('successor') ?? undefined;
  if (successor === undefined && ctx.quirks.successorRequired)
    throw badRequest(`Deleting a ${what} needs ?successor= (the ${what} that takes over its data)`);
  return successor;
}

function list<T>(ctx: RouteContext, view: View<T>, items: readonly T[]): Reply {
  const tree = fieldsOf(ctx.query);
  const { skip, top } = paging(ctx.query, DEFAULT_TOP, 'youtrack');
  return ok(slice(items, skip, top).map((e) => project('youtrack', view, e, tree)));
}

function one<T>(ctx: RouteContext, view: View<T>, entity: T): Reply {
  return ok(project('youtrack', view, entity, fieldsOf(ctx.query)));
}

/** YouTrack's `query` on users: a case-insensitive substring of login, full name or e-mail. */
function searchUsers(ctx: RouteContext): readonly User[] {
  const q = ctx.query.get('query')?.trim().toLowerCase();
  const all =
    ctx.dir.notYetInYouTrack.size === 0
      ? ctx.dir.users.all
      : ctx.dir.users.all.filter((u) => ctx.dir.inYouTrack(u));
  if (!q) return all;
  return all.filter(
    (u) =>
      u.login.toLowerCase().includes(q) ||
      u.name.toLowerCase().includes(q) ||
      u.email?.toLowerCase().includes(q),
  );
}

function readRoutes(v: YouTrackViews): Route[] {
  return [
    ['GET', '/users', (ctx) => list(ctx, v.user, searchUsers(ctx))],
    [
      'GET',
      '/users/:id',
      (ctx, p) => {
        const reply = one(ctx, v.user, userOf(ctx, p.id ?? ''));
        // The current user is a `Me` (it extends User), as /api/users/me answers on real instances.
        if (p.id === 'me' && reply.body && typeof reply.body === 'object')
          Object.assign(reply.body, { $type: 'Me' });
        return reply;
      },
    ],
    ['GET', '/groups', (ctx) => list(ctx, v.group, ctx.dir.groups.all)],
    ['GET', '/groups/:id', (ctx, p) => one(ctx, v.group, resolve(ctx.dir.groups, p.id ?? ''))],
    [
      'GET',
      '/groups/:id/ownUsers',
      (ctx, p) => {
        const g = resolve(ctx.dir.groups, p.id ?? '');
        return list(
          ctx,
          v.user,
          [...g.ownUsers].flatMap((id) => ctx.dir.users.get(id) ?? []),
        );
      },
    ],
    [
      'GET',
      '/groups/:id/users',
      (ctx, p) => list(ctx, v.user, [...transitiveUsers(ctx.dir, resolve(ctx.dir.groups, p.id ?? ''))]),
    ],
    [
      'GET',
      '/groups/:id/subGroups',
      (ctx, p) => {
        const g = resolve(ctx.dir.groups, p.id ?? '');
        return list(
          ctx,
          v.group,
          [...g.subgroups].flatMap((id) => ctx.dir.groups.get(id) ?? []),
        );
      },
    ],
  ];
}

/** 2026.1+: the YouTrack API becomes writable and gains organizations. */
function writeRoutes(v: YouTrackViews): Route[] {
  return [
    [
      'POST',
      '/users',
      async (ctx) => {
        const b = parseBody(ytUserBody, await ctx.body());
        if (b.login === undefined) throw badRequest('Request body: login: a new user needs a login');
        const u = ctx.dir.createUser(
          defined({ login: b.login, name: b.fullName, email: b.email, banned: b.banned }),
          ctx.author,
        );
        return one(ctx, v.user, u);
      },
    ],
    [
      'POST',
      '/users/:id',
      async (ctx, p) => {
        const b = parseBody(ytUserBody, await ctx.body());
        const u = userOf(ctx, p.id ?? '');
        ctx.dir.updateUser(
          u.hubId,
          defined({ login: b.login, name: b.fullName, email: b.email, banned: b.banned }),
          ctx.author,
        );
        return one(ctx, v.user, u);
      },
    ],
    [
      'DELETE',
      '/users/:id',
      (ctx, p) => {
        const u = userOf(ctx, p.id ?? '');
        const successor = successorOf(ctx, 'user');
        ctx.dir.deleteUser(
          u.hubId,
          successor ? resolve(ctx.dir.users, successor).hubId : undefined,
          ctx.author,
        );
        return ok();
      },
    ],
    [
      'POST',
      '/groups',
      async (ctx) => {
        const b = parseBody(ytGroupBody, await ctx.body());
        if (b.name === undefined) throw badRequest('Request body: name: a new group needs a name');
        const parentId = b.parentGroup ? resolve(ctx.dir.groups, b.parentGroup.id).hubId : undefined;
        const g = ctx.dir.createGroup(
          defined({ name: b.name, description: b.description, parentId }),
          ctx.author,
        );
        return one(ctx, v.group, g);
      },
    ],
    [
      'POST',
      '/groups/:id',
      async (ctx, p) => {
        const b = parseBody(ytGroupBody, await ctx.body());
        const g = resolve(ctx.dir.groups, p.id ?? '');
        const parentId =
          b.parentGroup === undefined
            ? undefined
            : b.parentGroup && resolve(ctx.dir.groups, b.parentGroup.id).hubId;
        ctx.dir.updateGroup(
          g.hubId,
          defined({ name: b.name, description: b.description, parentId }),
          ctx.author,
        );
        return one(ctx, v.group, g);
      },
    ],
    [
      'DELETE',
      '/groups/:id',
      (ctx, p) => {
        const g = resolve(ctx.dir.groups, p.id ?? '');
        const successor = successorOf(ctx, 'group');
        ctx.dir.deleteGroup(
          g.hubId,
          successor ? resolve(ctx.dir.groups, successor).hubId : undefined,
          ctx.author,
        );
        return ok();
      },
    ],
    [
      'POST',
      '/groups/:id/ownUsers',
      async (ctx, p) => {
        const g = resolve(ctx.dir.groups, p.id ?? '');
        const u = resolve(ctx.dir.users, parseBody(memberBody, await ctx.body()).id);
        ctx.dir.addMember(g.hubId, u.hubId, ctx.author);
        return one(ctx, v.user, u);
      },
    ],
    [
      'DELETE',
      '/groups/:id/ownUsers/:userId',
      (ctx, p) => {
        const g = resolve(ctx.dir.groups, p.id ?? '');
        ctx.dir.removeMember(g.hubId, resolve(ctx.dir.users, p.userId ?? '').hubId, ctx.author);
        return ok();
      },
    ],
    ...organizationRoutes(v),
  ];
}

function organizationRoutes(v: YouTrackViews): Route[] {
  const orgOf = (ctx: RouteContext, id: string) => resolve(ctx.dir.organizations, id);
  return [
    ['GET', '/admin/organizations', (ctx) => list(ctx, v.organization, ctx.dir.organizations.all)],
    ['GET', '/admin/organizations/:id', (ctx, p) => one(ctx, v.organization, orgOf(ctx, p.id ?? ''))],
    [
      'POST',
      '/admin/organizations',
      async (ctx) => {
        const b = parseBody(organizationBody, await ctx.body());
        if (b.name === undefined) throw badRequest('Request body: name: a new organization needs a name');
        const o = ctx.dir.createOrganization(defined({ ...b, name: b.name, hubEra: false }), ctx.author);
        return one(ctx, v.organization, o);
      },
    ],
    [
      'POST',
      '/admin/organizations/:id',
      async (ctx, p) => {
        const o = orgOf(ctx, p.id ?? '');
        ctx.dir.updateOrganization(
          o.hubId,
          defined(parseBody(organizationBody, await ctx.body())),
          ctx.author,
        );
        return one(ctx, v.organization, o);
      },
    ],
    [
      'DELETE',
      '/admin/organizations/:id',
      (ctx, p) => {
        ctx.dir.deleteOrganization(orgOf(ctx, p.id ?? '').hubId, ctx.author);
        return ok();
      },
    ],
  ];
}

/** The routes under `/api` for the emulated version: read-only before 2026.1. */
export function youtrackRoutes(ctxDir: RouteContext['dir'], api: RouteContext['api']): Route[] {
  const v = youtrackViews(ctxDir);
  return api === '2026' ? [...readRoutes(v), ...writeRoutes(v)] : readRoutes(v);
}
