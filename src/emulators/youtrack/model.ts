/**
 * The emulator's in-memory entities. One entity is seen through two APIs: the YouTrack REST view
 * (`ytId` like `1-6`, `ringId` = `hubId`) and the Hub REST view (`id` = `hubId`).
 */

export interface User {
  readonly hubId: string;
  readonly ytId: string;
  /** Position in creation order; the key of the paging index. */
  readonly seq: number;
  login: string;
  name: string;
  email: string | null;
  emailVerified: boolean;
  banned: boolean;
  banReason: string | null;
  guest: boolean;
  readonly creationTime: number;
  lastAccessTime: number;
  /** Hub ids of the groups the user is a direct member of. */
  readonly groups: Set<string>;
  /** Hub ids of the organizations the user belongs to. */
  readonly organizations: Set<string>;
}

/** `plain` groups may nest; the built-ins and project teams are maintained by the system. */
export type GroupKind = 'plain' | 'allUsers' | 'registeredUsers' | 'team';

export interface Project {
  readonly ytId: string;
  readonly name: string;
  readonly shortName: string;
}

export interface Group {
  readonly hubId: string;
  readonly ytId: string;
  readonly seq: number;
  readonly kind: GroupKind;
  name: string;
  description: string;
  /** Hub id of the parent group, for nested groups. */
  parentId: string | null;
  readonly creationTime: number;
  readonly ownUsers: Set<string>;
  readonly subgroups: Set<string>;
  readonly organizations: Set<string>;
  /** Set for project-team groups only. */
  readonly project: Project | null;
}

export interface Organization {
  readonly hubId: string;
  readonly ytId: string;
  readonly seq: number;
  key: string;
  name: string;
  description: string;
  readonly creationTime: number;
  readonly projectsCount: number;
  readonly users: Set<string>;
  readonly groups: Set<string>;
}

export type TargetType = 'user' | 'userGroup' | 'organization';
/** `membership` is a member added to or removed from a group or an organization (the target). */
export type EventType = 'create' | 'update' | 'delete' | 'membership';

export interface EventChange {
  field: string;
  removed: unknown;
  added: unknown;
}

export interface Author {
  id: string;
  login: string;
}

export interface DirectoryEvent {
  id: number;
  targetId: string;
  targetType: TargetType;
  targetPresentation: string;
  author: Author;
  type: EventType;
  changes: EventChange[];
  timestamp: number;
}

export type DirectoryErrorCode =
  'not_found' | 'must_be_unique' | 'license_users_number_exceeded' | 'immutable' | 'invalid';

/** An expected failure of a directory edit; the HTTP layer maps `code` to a status and body. */
export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}
