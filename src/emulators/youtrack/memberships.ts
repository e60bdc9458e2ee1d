import type { Collection } from './collection.ts';
import { DirectoryError, type Author, type Group, type Organization, type User } from './model.ts';

/** What membership edits need of the directory (./directory.ts), which calls them. */
export interface Directory {
  readonly users: Collection<User>;
  readonly groups: Collection<Group>;
  readonly allUsersGroup: Group;
  readonly registeredUsersGroup: Group;
  requireUser(hubId: string): User;
  requireGroup(hubId: string): Group;
  requireOrganization(hubId: string): Organization;
  recordMembership(container: Group | Organization, user: User, added: boolean, author: Author): void;
}

/** Membership edits: one event per change, where `dir.membershipEvents` says (hub-events.ts). */

function editableMembers(group: Group): void {
  if (group.kind === 'allUsers' || group.kind === 'registeredUsers')
    throw new DirectoryError(
      'immutable',
      `Every user is a member of ${group.name}; its members cannot be edited`,
    );
}

/** Adds or removes one own member of a group; no event when nothing changes. */
function setGroupMember(
  dir: Directory,
  groupId: string,
  userId: string,
  member: boolean,
  author: Author,
): void {
  const group = dir.requireGroup(groupId);
  const user = dir.requireUser(userId);
  editableMembers(group);
  if (group.ownUsers.has(user.hubId) === member) return;
  setIn(group.ownUsers, user.hubId, member);
  setIn(user.groups, group.hubId, member);
  dir.recordMembership(group, user, member, author);
}

/** Adds or removes one member of an organization; no event when nothing changes. */
function setOrganizationMember(
  dir: Directory,
  orgId: string,
  userId: string,
  member: boolean,
  author: Author,
): void {
  const org = dir.requireOrganization(orgId);
  const user = dir.requireUser(userId);
  if (org.users.has(user.hubId) === member) return;
  setIn(org.users, user.hubId, member);
  setIn(user.organizations, org.hubId, member);
  dir.recordMembership(org, user, member, author);
}

function setIn(set: Set<string>, id: string, member: boolean): void {
  if (member) set.add(id);
  else set.delete(id);
}

export const addMember = (dir: Directory, groupId: string, userId: string, author: Author) =>
  setGroupMember(dir, groupId, userId, true, author);
export const removeMember = (dir: Directory, groupId: string, userId: string, author: Author) =>
  setGroupMember(dir, groupId, userId, false, author);
export const addOrganizationMember = (dir: Directory, orgId: string, userId: string, author: Author) =>
  setOrganizationMember(dir, orgId, userId, true, author);
export const removeOrganizationMember = (dir: Directory, orgId: string, userId: string, author: Author) =>
  setOrganizationMember(dir, orgId, userId, false, author);

/** Users of a group including those of its subgroups; the built-ins hold everyone. */
export function transitiveUsers(dir: Directory, group: Group): Iterable<User> {
  if (group.kind === 'allUsers') return dir.users.all;
  if (group.kind === 'registeredUsers') return dir.users.all.filter((u) => !u.guest);
  const ids = new Set<string>();
  const visit = (g: Group) => {
    for (const id of g.ownUsers) ids.add(id);
    for (const sid of g.subgroups) {
      const sub = dir.groups.get(sid);
      if (sub) visit(sub);
    }
  };
  visit(group);
  return [...ids].flatMap((id) => dir.users.get(id) ?? []);
}

export function userCount(dir: Directory, group: Group): number {
  if (group.kind === 'allUsers') return dir.users.size;
  if (group.kind === 'registeredUsers') return dir.users.size - dir.users.all.filter((u) => u.guest).length;
  return [...transitiveUsers(dir, group)].length;
}

/** Direct groups, their ancestors, and the built-ins the user belongs to. */
export function transitiveGroups(dir: Directory, user: User): Group[] {
  const out = new Set<Group>([dir.allUsersGroup]);
  if (!user.guest) out.add(dir.registeredUsersGroup);
  for (const gid of user.groups)
    for (let g = dir.groups.get(gid); g; g = g.parentId ? dir.groups.get(g.parentId) : undefined) out.add(g);
  return [...out];
}
