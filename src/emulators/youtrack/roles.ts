import { z } from 'zod';
import { parseBody } from './bodies.ts';
import type { Route, RouteContext } from './context.ts';
import type { Directory } from './directory.ts';
import { transitiveGroups } from './memberships.ts';
import type { User } from './model.ts';
import type { View } from './project.ts';
import { ApiFailure, badRequest, notFound, ok, type Reply } from './reply.ts';

/**
 * Hub roles and who holds them (issue 14: administrators are protected). Sources, listed in
 * docs/youtrack-emulator.md: Hub REST "Roles" (`GET /roles`, role = `{id, key, name, description,
 * teamRole, permissions}`), "Default Roles" (System Admin, Project Admin, Contributor, Observer;
 * "You cannot delete the System Admin ... role", names can change), "Add Project Role to Project
 * Roles of a User/User Group" (`POST /users/{id}/projectroles`, body `{role, project}`), and "Get
 * All Users" (`query=access(project: P, with: role)`, `access(with: role)`: users who have the
 * role in the project / in some project). A 403 answers a token whose owner may not read roles
 * ("Requires permissions: ... Read Role"). The role keys are a guess (the documentation shows a
 * `key` field but no values); the global project's id `0` and name `Global` are a guess too.
 */

export interface Role {
  id: string;
  key: string;
  name: string;
  description: string;
}

export interface Grant {
  /** A user's or a group's Hub id. */
  holder: string;
  role: string;
  project: string;
}

export const GLOBAL_PROJECT = { id: '0', name: 'Global' };

export class Roles {
  readonly roles: Role[] = [
    { id: 'system-admin', key: 'system-admin', name: 'System Admin', description: 'All permissions' },
    { id: 'project-admin', key: 'project-admin', name: 'Project Admin', description: 'Manages projects' },
    { id: 'contributor', key: 'contributor', name: 'Contributor', description: 'Member of a project team' },
    { id: 'observer', key: 'observer', name: 'Observer', description: 'Read-only access to a project' },
  ];
  readonly grants: Grant[] = [];
  /** Whether the token's owner holds Read Role; false answers role reads with 403. */
  readable = true;

  constructor(dir: Directory) {
    this.grant(dir.admin.hubId, 'system-admin');
  }

  /** A role by id, key or (case-insensitive) name. */
  find(ref: string): Role | undefined {
    const lower = ref.toLowerCase();
    return this.roles.find((r) => r.id === ref || r.key === ref || r.name.toLowerCase() === lower);
  }

  grant(holder: string, roleRef: string, projectId = GLOBAL_PROJECT.id): void {
    const role = this.find(roleRef);
    if (!role) throw notFound(roleRef);
    if (!this.grants.some((g) => g.holder === holder && g.role === role.id && g.project === projectId))
      this.grants.push({ holder, role: role.id, project: projectId });
  }

  /** Whether the user holds the role (own grant or a grant of a group it is in) in the project (any when undefined). */
  holds(dir: Directory, user: User, role: Role, projectRef: string | undefined): boolean {
    const holders = new Set([user.hubId, ...transitiveGroups(dir, user).map((g) => g.hubId)]);
    const inProject = (p: string) =>
      projectRef === undefined ||
      p === projectRef ||
      (p === GLOBAL_PROJECT.id && projectRef.toLowerCase() === GLOBAL_PROJECT.name.toLowerCase());
    return this.grants.some((g) => g.role === role.id && holders.has(g.holder) && inProject(g.project));
  }
}

const state = new WeakMap<Directory, Roles>();

/** The roles of a directory (made on first use: the admin holds System Admin). */
export function rolesOf(dir: Directory): Roles {
  let r = state.get(dir);
  if (!r) state.set(dir, (r = new Roles(dir)));
  return r;
}

const forbidden = () =>
  new ApiFailure(403, 'Forbidden', 'Requester has no access to the request (Read Role is required)');

/**
 * The users predicate of `access(project: P, with: R)` / `access(with: R)` / `access(project: P)`:
 * `inner` is what stands between the parentheses.
 */
export function accessPredicate(dir: Directory, inner: string): (u: User) => boolean {
  const roles = rolesOf(dir);
  if (!roles.readable) throw forbidden();
  const args = new Map<string, string>();
  for (const part of inner.split(',')) {
    const m = /^\s*(project|with)\s*:\s*(.*?)\s*$/s.exec(part);
    if (!m) throw badRequest(`access(${inner}): expected "project: P" and/or "with: role"`);
    args.set(m[1] ?? '', (m[2] ?? '').replace(/^\{(.*)\}$/s, '$1').trim());
  }
  const withRef = args.get('with');
  const role = withRef === undefined ? undefined : roles.find(withRef);
  if (withRef !== undefined && !role) return () => false;
  const projectRef = args.get('project');
  return (u) =>
    role
      ? roles.holds(dir, u, role, projectRef)
      : roles.roles.some((r) => roles.holds(dir, u, r, projectRef));
}

const roleView: View<Role> = {
  type: () => 'role',
  fields: {
    id: (r) => r.id,
    key: (r) => r.key,
    name: (r) => r.name,
    description: (r) => r.description,
    teamRole: () => false,
  },
};

const projectRoleBody = z.object({
  role: z.object({ id: z.string().optional(), key: z.string().optional() }),
  project: z.object({ id: z.string() }).optional(),
});

async function addProjectRole(ctx: RouteContext, holder: string): Promise<Reply> {
  const b = parseBody(projectRoleBody, await ctx.body());
  const ref = b.role.id ?? b.role.key;
  if (ref === undefined) throw badRequest('Request body: role: give the role id');
  rolesOf(ctx.dir).grant(holder, ref, b.project?.id ?? GLOBAL_PROJECT.id);
  return ok();
}

/** `list` is Hub's list envelope (hub-routes.ts). */
export type ListReply = <T>(ctx: RouteContext, key: string, view: View<T>, items: readonly T[]) => Reply;

export function roleRoutes(list: ListReply): Route[] {
  return [
    [
      'GET',
      '/roles',
      (ctx) => {
        const roles = rolesOf(ctx.dir);
        if (!roles.readable) throw forbidden();
        return list(ctx, 'roles', roleView, roles.roles);
      },
    ],
    [
      'POST',
      '/users/:id/projectroles',
      (ctx, p) => addProjectRole(ctx, ctx.dir.requireUser(p.id ?? '').hubId),
    ],
    [
      'POST',
      '/usergroups/:id/projectroles',
      (ctx, p) => addProjectRole(ctx, ctx.dir.requireGroup(p.id ?? '').hubId),
    ],
  ];
}
