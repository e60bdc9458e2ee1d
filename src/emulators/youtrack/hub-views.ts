import type { Directory } from './directory.ts';
import { transitiveGroups, transitiveUsers, userCount } from './memberships.ts';
import type { DirectoryEvent, Group, Organization, Project, User } from './model.ts';
import { many, one, type View } from './project.ts';

/** The Hub REST (`/hub/api/rest`) shapes of the directory's entities. */
export interface HubViews {
  user: View<User>;
  group: View<Group>;
  organization: View<Organization>;
  event: View<DirectoryEvent>;
}

/** `orgVisible`: from 2026.1 Hub knows only the organizations made before the upgrade, or none. */
export function hubViews(dir: Directory, orgVisible: (o: Organization) => boolean = () => true): HubViews {
  const users = (ids: Iterable<string>) => () => [...ids].flatMap((id) => dir.users.get(id) ?? []);
  const groups = (ids: Iterable<string>) => () => [...ids].flatMap((id) => dir.groups.get(id) ?? []);
  const orgs = (ids: Iterable<string>) => () =>
    [...ids].flatMap((id) => dir.organizations.get(id) ?? []).filter(orgVisible);
  const email: View<User> = {
    type: () => 'EmailJSON',
    inline: true,
    fields: { email: (u) => u.email, verified: (u) => u.emailVerified },
  };
  const avatar: View<User> = {
    type: () => 'urlavatar',
    inline: true,
    fields: { url: (u) => `/hub/api/rest/avatar/${u.hubId}?s=48` },
  };
  const profile: View<User> = {
    type: null,
    inline: true,
    fields: { email: (u) => (u.email === null ? null : one(email, u)), avatar: (u) => one(avatar, u) },
  };
  const project: View<Project> = {
    type: () => 'project',
    fields: { id: (p) => p.ytId, name: (p) => p.name, key: (p) => p.shortName },
  };
  const v: HubViews = {
    user: {
      type: () => 'user',
      fields: {
        id: (u) => u.hubId,
        login: (u) => u.login,
        name: (u) => u.name,
        banned: (u) => u.banned,
        banReason: (u) => u.banReason,
        guest: (u) => u.guest,
        profile: (u) => one(profile, u),
        groups: (u) => many(v.group, groups(u.groups)),
        transitiveGroups: (u) => many(v.group, () => transitiveGroups(dir, u)),
        organizations: (u) => many(v.organization, orgs(u.organizations)),
        creationTime: (u) => u.creationTime,
        lastAccessTime: (u) => u.lastAccessTime,
      },
    },
    group: {
      type: () => 'userGroup',
      // `users` is transitive (everyone, for All Users), so it is sent only when asked for.
      defaults: [
        'id',
        'name',
        'description',
        'ownUsers',
        'userCount',
        'parent',
        'subgroups',
        'organizations',
        'project',
        'allUsers',
        'registeredUsers',
        'removable',
        'immutable',
        'autoJoin',
      ],
      fields: {
        id: (g) => g.hubId,
        name: (g) => g.name,
        description: (g) => g.description,
        users: (g) => many(v.user, () => transitiveUsers(dir, g)),
        ownUsers: (g) => many(v.user, users(g.ownUsers)),
        userCount: (g) => userCount(dir, g),
        parent: (g) => one(v.group, g.parentId ? dir.groups.get(g.parentId) : null),
        subgroups: (g) => many(v.group, groups(g.subgroups)),
        organizations: (g) => many(v.organization, orgs(g.organizations)),
        project: (g) => one(project, g.project),
        allUsers: (g) => g.kind === 'allUsers',
        registeredUsers: (g) => g.kind === 'registeredUsers',
        removable: (g) => g.kind === 'plain',
        immutable: (g) => g.kind !== 'plain',
        autoJoin: () => false,
      },
    },
    organization: {
      type: () => 'organization',
      fields: {
        id: (o) => o.hubId,
        key: (o) => o.key,
        name: (o) => o.name,
        description: (o) => o.description,
        creationTime: (o) => o.creationTime,
        users: (o) => many(v.user, users(o.users)),
        groups: (o) => many(v.group, groups(o.groups)),
        projectsCount: (o) => o.projectsCount,
      },
    },
    // An event's `type` key is its kind (created, updated, deleted), not a JSON class name.
    event: {
      type: (e) => e.type,
      fields: {
        id: (e) => e.id,
        targetId: (e) => e.targetId,
        targetType: (e) => e.targetType,
        targetPresentation: (e) => e.targetPresentation,
        author: (e) => e.author,
        authorPresentation: (e) => e.authorPresentation,
        authorType: (e) => e.authorType,
        changes: (e) => e.changes,
        timestamp: (e) => e.timestamp,
      },
    },
  };
  return v;
}
