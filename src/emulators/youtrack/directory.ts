import { systemClock, type Clock } from '../../util/clock.ts';
import { seededRandom } from '../shared/faults.ts';
import { Collection } from './collection.ts';
import { EventLog } from './events.ts';
import { hubEvent, membershipEvent, type EventKind } from './hub-events.ts';
import { seededUuid } from './ids.ts';
import {
  DirectoryError,
  type Author,
  type EventChange,
  type Group,
  type GroupKind,
  type MembershipEvents,
  type Organization,
  type Project,
  type User,
} from './model.ts';
import * as membership from './memberships.ts';
import { Organizations, type OrganizationInput, type OrganizationPatch } from './organizations.ts';

export interface DirectoryOptions {
  clock?: Clock | undefined;
  /** Seeds the generator of Hub ids, so a seed always yields the same ids. */
  randomSeed?: number | undefined;
  /** Licence seats: non-banned, non-guest users. Unlimited when absent; seeding ignores it. */
  seatLimit?: number | undefined;
  /** Where membership edits are logged (unknown for real Hub); default 'container'. */
  membershipEvents?: MembershipEvents | undefined;
}

export interface UserInput {
  login: string;
  name?: string;
  email?: string | null;
  emailVerified?: boolean;
  banned?: boolean;
  banReason?: string | null;
  guest?: boolean;
  /** Seeded data passes fixed times so a seed is repeatable; otherwise the clock's now. */
  creationTime?: number;
  lastAccessTime?: number;
}
export type UserPatch = Partial<
  Pick<User, 'login' | 'name' | 'email' | 'emailVerified' | 'banned' | 'banReason'>
>;

export interface GroupInput {
  name: string;
  description?: string;
  parentId?: string | null | undefined;
  creationTime?: number;
}
export type GroupPatch = Partial<Pick<Group, 'name' | 'description' | 'parentId'>>;

/**
 * The one directory behind both APIs. Every public edit records an event exactly as the
 * matching API call would, so tests simulate "a person changed this in YouTrack" by calling
 * these methods directly (`author` defaults to the admin). Failures throw DirectoryError.
 */
export class Directory {
  readonly users = new Collection<User>();
  readonly groups = new Collection<Group>();
  readonly organizations = new Organizations();
  readonly events: EventLog;
  readonly clock: Clock;
  /** The token owner and default author of edits. */
  readonly admin: User;
  readonly allUsersGroup: Group;
  readonly registeredUsersGroup: Group;
  readonly membershipEvents: MembershipEvents;

  private readonly rnd: () => number;
  private readonly seatLimit: number;
  private readonly byLogin = new Map<string, User>();
  private readonly byEmail = new Map<string, Set<User>>();
  private readonly groupByName = new Map<string, Group>();
  /** Hub ids of deleted groups (for the deleted-group quirk of Hub's `GET /usergroups/{id}`). */
  readonly deletedGroups = new Set<string>();
  /** Users created in Hub that YouTrack's `/api/users` does not show yet (propagation lag). */
  readonly notYetInYouTrack = new Set<User>();
  private seq = 0;
  private seatsUsed = 0;
  private recording = true;
  private userCounter = 1;
  private groupCounter = 0;

  constructor(opts: DirectoryOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.rnd = seededRandom(opts.randomSeed ?? 1);
    this.seatLimit = opts.seatLimit ?? Infinity;
    this.membershipEvents = opts.membershipEvents ?? 'container';
    this.events = new EventLog(this.clock);
    this.allUsersGroup = this.insertGroup('allUsers', { name: 'All Users', description: 'All users' });
    this.registeredUsersGroup = this.insertGroup('registeredUsers', {
      name: 'Registered Users',
      description: 'All users except the guest',
    });
    this.admin = this.insertUser({ login: 'admin', name: 'Administrator', email: 'admin@example.com' });
  }

  /** Runs `load` without recording events: seeded data exists "from before" the log starts. */
  bulkLoad(load: () => void): void {
    this.recording = false;
    try {
      load();
    } finally {
      this.recording = true;
    }
  }

  private newUuid(): string {
    return seededUuid(this.rnd);
  }

  userByLogin(login: string): User | undefined {
    return this.byLogin.get(login.toLowerCase());
  }

  usersByEmail(email: string): User[] {
    return [...(this.byEmail.get(email.trim().toLowerCase()) ?? [])];
  }

  groupByNameCi(name: string): Group | undefined {
    return this.groupByName.get(name.toLowerCase());
  }

  organizationByName(name: string): Organization | undefined {
    return this.organizations.byName(name);
  }

  requireUser(hubId: string): User {
    const u = this.users.get(hubId);
    if (!u) throw new DirectoryError('not_found', `Entity with id ${hubId} not found`);
    return u;
  }

  requireGroup(hubId: string): Group {
    const g = this.groups.get(hubId);
    if (!g) throw new DirectoryError('not_found', `Entity with id ${hubId} not found`);
    return g;
  }

  requireOrganization(hubId: string): Organization {
    const o = this.organizations.get(hubId);
    if (!o) throw new DirectoryError('not_found', `Entity with id ${hubId} not found`);
    return o;
  }

  /** Records an event unless loading seed data; see `hub-events.ts` for the shape. */
  record(kind: EventKind, target: User | Group | Organization, changes: EventChange[], author: Author): void {
    if (this.recording) this.events.append(hubEvent(kind, target, changes, author));
  }

  /** Records a creation: each given field changes from nothing to its first value. */
  private recordCreated(
    target: User | Group | Organization,
    added: Record<string, EventChange['added']>,
    author: Author,
  ): void {
    const changes = Object.entries(added).map(([field, value]) => ({ field, removed: null, added: value }));
    this.record('created', target, changes, author);
  }

  /** Records a membership edit where `membershipEvents` says Hub logs it. */
  recordMembership(container: Group | Organization, user: User, added: boolean, author: Author): void {
    if (this.recording)
      this.events.append(membershipEvent(this.membershipEvents, container, user, added, author));
  }

  get defaultAuthor(): Author {
    return { id: this.admin.hubId, login: this.admin.login };
  }

  // ---- users ----

  /** Creates a user; fails with must_be_unique (login) or license_users_number_exceeded. */
  createUser(input: UserInput, author: Author = this.defaultAuthor): User {
    const user = this.insertUser(input);
    this.recordCreated(
      user,
      { login: user.login, name: user.name, email: user.email, banned: user.banned },
      author,
    );
    return user;
  }

  /** Partial update: keys absent from `patch` stay as they are. */
  updateUser(hubId: string, patch: UserPatch, author: Author = this.defaultAuthor): User {
    const user = this.requireUser(hubId);
    const login = patch.login?.trim();
    if (login !== undefined) {
      if (!login) throw new DirectoryError('invalid', `User ${user.login}: login must not be empty`);
      const other = this.byLogin.get(login.toLowerCase());
      if (other && other !== user)
        throw new DirectoryError('must_be_unique', `Login "${login}" is already used by another user`);
    }
    if (patch.banned === false && user.banned && !user.guest) this.checkSeat();
    const changes: EventChange[] = [];
    const set = <K extends keyof UserPatch>(field: K, value: User[K] | undefined) => {
      if (value === undefined || user[field] === value) return;
      changes.push({ field, removed: user[field], added: value });
      (user as Pick<User, K>)[field] = value;
    };
    this.unindexUser(user);
    set('login', login);
    set('name', patch.name);
    set('email', patch.email === undefined ? undefined : normalizeEmail(patch.email));
    set('emailVerified', patch.emailVerified);
    set('banned', patch.banned);
    set('banReason', patch.banReason);
    this.indexUser(user);
    if (changes.length > 0) this.record('updated', user, changes, author);
    return user;
  }

  /** Deletes a user; its memberships end with it. `successorId` must name another user. */
  deleteUser(hubId: string, successorId?: string, author: Author = this.defaultAuthor): void {
    const user = this.requireUser(hubId);
    if (user === this.admin) throw new DirectoryError('immutable', 'The admin user cannot be deleted');
    if (successorId !== undefined && this.requireUser(successorId) === user)
      throw new DirectoryError('invalid', `User ${user.login} cannot be its own successor`);
    for (const gid of user.groups) this.groups.get(gid)?.ownUsers.delete(user.hubId);
    for (const oid of user.organizations) this.organizations.get(oid)?.users.delete(user.hubId);
    this.unindexUser(user);
    this.notYetInYouTrack.delete(user);
    this.users.remove(user);
    this.record('deleted', user, [], author);
  }

  /** Hub to YouTrack propagation: `/api/users` shows the user only `lagMs` from now. */
  delayInYouTrack(user: User, lagMs: number): void {
    if (lagMs <= 0) return;
    user.youtrackFrom = this.clock.now() + lagMs;
    this.notYetInYouTrack.add(user);
  }

  /** Whether YouTrack's `/api/users` shows the user now. */
  inYouTrack(user: User): boolean {
    if (this.notYetInYouTrack.size === 0 || !this.notYetInYouTrack.has(user)) return true;
    if (user.youtrackFrom > this.clock.now()) return false;
    this.notYetInYouTrack.delete(user);
    return true;
  }

  // ---- groups ----

  /** Creates a plain group; names are unique (case-insensitive). */
  createGroup(input: GroupInput, author: Author = this.defaultAuthor): Group {
    const group = this.insertGroup('plain', input);
    this.recordCreated(
      group,
      { name: group.name, description: group.description, parent: group.parentId },
      author,
    );
    return group;
  }

  /** Partial update; `parentId: null` makes the group top-level. */
  updateGroup(hubId: string, patch: GroupPatch, author: Author = this.defaultAuthor): Group {
    const group = this.requireGroup(hubId);
    if (group.kind !== 'plain') throw immutableGroup(group);
    const name = patch.name?.trim();
    if (name !== undefined) this.checkGroupName(name, group);
    if (patch.parentId !== undefined && patch.parentId !== null) this.checkParent(group, patch.parentId);
    const changes: EventChange[] = [];
    if (name !== undefined && name !== group.name) {
      changes.push({ field: 'name', removed: group.name, added: name });
      this.groupByName.delete(group.name.toLowerCase());
      group.name = name;
      this.groupByName.set(name.toLowerCase(), group);
    }
    if (patch.description !== undefined && patch.description !== group.description) {
      changes.push({ field: 'description', removed: group.description, added: patch.description });
      group.description = patch.description;
    }
    if (patch.parentId !== undefined && patch.parentId !== group.parentId) {
      changes.push({ field: 'parent', removed: group.parentId, added: patch.parentId });
      this.setParent(group, patch.parentId);
    }
    if (changes.length > 0) this.record('updated', group, changes, author);
    return group;
  }

  /**
   * Deletes a plain group. Its own users move to `successorId` when given (recorded as
   * membership events there); its subgroups move up to its parent.
   */
  deleteGroup(hubId: string, successorId?: string, author: Author = this.defaultAuthor): void {
    const group = this.requireGroup(hubId);
    if (group.kind !== 'plain') throw immutableGroup(group);
    const successor = successorId === undefined ? undefined : this.requireGroup(successorId);
    if (successor === group) throw new DirectoryError('invalid', `Group ${group.name} cannot succeed itself`);
    for (const uid of [...group.ownUsers]) {
      if (successor && successor.kind !== 'allUsers' && successor.kind !== 'registeredUsers')
        this.addMember(successor.hubId, uid, author);
      this.users.get(uid)?.groups.delete(group.hubId);
    }
    for (const sid of [...group.subgroups]) this.updateGroup(sid, { parentId: group.parentId }, author);
    for (const oid of group.organizations) this.organizations.get(oid)?.groups.delete(group.hubId);
    this.setParent(group, null);
    this.groupByName.delete(group.name.toLowerCase());
    this.groups.remove(group);
    this.deletedGroups.add(group.hubId);
    this.record('deleted', group, [], author);
  }

  /** Adds a project-team group (Hub id ends in `_team`); only seeding creates these. */
  createTeam(project: Project): Group {
    return this.insertGroup('team', { name: `${project.name} Team`, description: '' }, project);
  }

  // ---- organizations (see organizations.ts) ----

  /** Creates an organization; names and keys are unique (case-insensitive). */
  createOrganization(input: OrganizationInput, author: Author = this.defaultAuthor): Organization {
    const org = this.organizations.insert(
      input,
      { hubId: this.newUuid(), seq: ++this.seq },
      this.clock.now(),
    );
    this.recordCreated(org, { key: org.key, name: org.name, description: org.description }, author);
    return org;
  }

  updateOrganization(
    hubId: string,
    patch: OrganizationPatch,
    author: Author = this.defaultAuthor,
  ): Organization {
    const org = this.requireOrganization(hubId);
    const changes = this.organizations.update(org, patch);
    if (changes.length > 0) this.record('updated', org, changes, author);
    return org;
  }

  /** Deletes an organization; its users and groups stay, outside it. */
  deleteOrganization(hubId: string, author: Author = this.defaultAuthor): void {
    const org = this.requireOrganization(hubId);
    for (const uid of org.users) this.users.get(uid)?.organizations.delete(org.hubId);
    for (const gid of org.groups) this.groups.get(gid)?.organizations.delete(org.hubId);
    this.organizations.remove(org);
    this.record('deleted', org, [], author);
  }

  // ---- memberships (see memberships.ts) ----

  /** Adds a user to a group's own users; a no-op (no event) when already a member. */
  addMember(groupId: string, userId: string, author: Author = this.defaultAuthor): void {
    membership.addMember(this, groupId, userId, author);
  }

  removeMember(groupId: string, userId: string, author: Author = this.defaultAuthor): void {
    membership.removeMember(this, groupId, userId, author);
  }

  addOrganizationMember(orgId: string, userId: string, author: Author = this.defaultAuthor): void {
    membership.addOrganizationMember(this, orgId, userId, author);
  }

  removeOrganizationMember(orgId: string, userId: string, author: Author = this.defaultAuthor): void {
    membership.removeOrganizationMember(this, orgId, userId, author);
  }

  /** Puts a group into an organization (no API call does this; seeding and tests do). */
  addOrganizationGroup(orgId: string, groupId: string): void {
    const org = this.requireOrganization(orgId);
    const group = this.requireGroup(groupId);
    org.groups.add(group.hubId);
    group.organizations.add(org.hubId);
  }

  // ---- internals shared with seeding ----

  private insertUser(input: UserInput): User {
    const login = input.login.trim();
    if (!login) throw new DirectoryError('invalid', 'A user needs a non-empty login');
    if (this.byLogin.has(login.toLowerCase()))
      throw new DirectoryError('must_be_unique', `Login "${login}" is already used by another user`);
    const banned = input.banned ?? false;
    const guest = input.guest ?? false;
    if (!banned && !guest) this.checkSeat();
    const seq = ++this.seq;
    const now = this.clock.now();
    const user: User = {
      hubId: this.newUuid(),
      ytId: `1-${this.userCounter++}`,
      seq,
      login,
      name: input.name?.trim() || login,
      email: normalizeEmail(input.email ?? null),
      emailVerified: input.emailVerified ?? input.email != null,
      banned,
      banReason: input.banReason ?? null,
      guest,
      creationTime: input.creationTime ?? now,
      lastAccessTime: input.lastAccessTime ?? input.creationTime ?? now,
      groups: new Set(),
      organizations: new Set(),
      youtrackFrom: 0,
    };
    this.users.add(user);
    this.indexUser(user);
    return user;
  }

  private insertGroup(kind: GroupKind, input: GroupInput, project: Project | null = null): Group {
    const name = input.name.trim();
    this.checkGroupName(name);
    const uuid = this.newUuid();
    const group: Group = {
      hubId: kind === 'team' ? `${uuid}_team` : uuid,
      ytId: `3-${this.groupCounter++}`,
      seq: ++this.seq,
      kind,
      name,
      description: input.description ?? '',
      parentId: null,
      creationTime: input.creationTime ?? this.clock.now(),
      ownUsers: new Set(),
      subgroups: new Set(),
      organizations: new Set(),
      project,
    };
    if (input.parentId) this.checkParent(group, input.parentId);
    this.groups.add(group);
    this.groupByName.set(name.toLowerCase(), group);
    if (input.parentId) this.setParent(group, input.parentId);
    return group;
  }

  private indexUser(user: User): void {
    this.byLogin.set(user.login.toLowerCase(), user);
    if (user.email) {
      const key = user.email.toLowerCase();
      const set = this.byEmail.get(key) ?? new Set<User>();
      set.add(user);
      this.byEmail.set(key, set);
    }
    if (!user.banned && !user.guest) this.seatsUsed++;
  }

  private unindexUser(user: User): void {
    this.byLogin.delete(user.login.toLowerCase());
    if (user.email) {
      const set = this.byEmail.get(user.email.toLowerCase());
      set?.delete(user);
      if (set?.size === 0) this.byEmail.delete(user.email.toLowerCase());
    }
    if (!user.banned && !user.guest) this.seatsUsed--;
  }

  private checkSeat(): void {
    if (this.recording && this.seatsUsed >= this.seatLimit)
      throw new DirectoryError(
        'license_users_number_exceeded',
        `The licence allows ${this.seatLimit} users and all seats are taken; ban or delete a user first`,
      );
  }

  private checkGroupName(name: string, self?: Group): void {
    if (!name) throw new DirectoryError('invalid', 'A group needs a non-empty name');
    const other = this.groupByName.get(name.toLowerCase());
    if (other && other !== self)
      throw new DirectoryError('must_be_unique', `Group name "${name}" is already used by another group`);
  }

  private checkParent(group: Group, parentId: string): void {
    const parent = this.requireGroup(parentId);
    if (parent.kind !== 'plain')
      throw new DirectoryError('invalid', `Group ${parent.name} cannot have subgroups`);
    for (let p: Group | undefined = parent; p; p = p.parentId ? this.groups.get(p.parentId) : undefined)
      if (p === group)
        throw new DirectoryError('invalid', `Group ${group.name} cannot be nested under its own subgroup`);
  }

  private setParent(group: Group, parentId: string | null): void {
    if (group.parentId) this.groups.get(group.parentId)?.subgroups.delete(group.hubId);
    group.parentId = parentId;
    if (parentId) this.groups.get(parentId)?.subgroups.add(group.hubId);
  }
}

function immutableGroup(group: Group): DirectoryError {
  return new DirectoryError(
    'immutable',
    `Group ${group.name} is maintained by the system and cannot be changed`,
  );
}

function normalizeEmail(email: string | null): string | null {
  const trimmed = email?.trim();
  return trimmed ? trimmed : null;
}
