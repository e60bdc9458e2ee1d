import type { Directory } from './directory.ts';
import { transitiveUsers, userCount } from './memberships.ts';
import type { Group, Organization, Project, User } from './model.ts';
import { many, one, type View } from './project.ts';

/** The YouTrack REST (`/api`) shapes of the directory's entities. */
export interface YouTrackViews {
  user: View<User>;
  group: View<Group>;
  organization: View<Organization>;
  project: View<Project>;
}

const GROUP_TYPES = {
  allUsers: 'AllUsersGroup',
  registeredUsers: 'RegisteredUsersGroup',
  team: 'ProjectTeam',
  plain: 'UserGroup',
} as const;

export function youtrackViews(dir: Directory): YouTrackViews {
  const users = (ids: Iterable<string>) => () => [...ids].flatMap((id) => dir.users.get(id) ?? []);
  const groups = (ids: Iterable<string>) => () => [...ids].flatMap((id) => dir.groups.get(id) ?? []);
  const v: YouTrackViews = {
    user: {
      type: () => 'User',
      fields: {
        id: (u) => u.ytId,
        login: (u) => u.login,
        fullName: (u) => u.name,
        email: (u) => u.email,
        ringId: (u) => u.hubId,
        guest: (u) => u.guest,
        // Volatile on a real instance; the emulator only reports the admin as online.
        online: (u) => u === dir.admin,
        banned: (u) => u.banned,
        avatarUrl: (u) => `/hub/api/rest/avatar/${u.hubId}?s=48`,
        tags: () => [],
        savedQueries: () => [],
      },
    },
    group: {
      type: (g) => (g.kind === 'plain' && g.parentId ? 'NestedGroup' : GROUP_TYPES[g.kind]),
      fields: {
        id: (g) => g.ytId,
        name: (g) => g.name,
        ringId: (g) => g.hubId,
        description: (g) => g.description,
        usersCount: (g) => userCount(dir, g),
        allUsersGroup: (g) => g.kind === 'allUsers',
        teamForProject: (g) => one(v.project, g.project),
        users: (g) => many(v.user, () => transitiveUsers(dir, g)),
        ownUsers: (g) => many(v.user, users(g.ownUsers)),
        subGroups: (g) => many(v.group, groups(g.subgroups)),
        parentGroup: (g) => one(v.group, g.parentId ? dir.groups.get(g.parentId) : null),
        autoJoin: () => false,
        autoJoinDomain: () => null,
      },
    },
    organization: {
      type: () => 'Organization',
      fields: {
        id: (o) => o.ytId,
        key: (o) => o.key,
        name: (o) => o.name,
        description: (o) => o.description,
        // YouTrack 2026.1's Organization (devportal api-entity-Organization): no ringId, no
        // members; the emulator has no icons (`iconUrl` can be null).
        iconUrl: () => null,
        projects: () => [],
      },
    },
    project: {
      type: () => 'Project',
      fields: { id: (p) => p.ytId, name: (p) => p.name, shortName: (p) => p.shortName },
    },
  };
  return v;
}
