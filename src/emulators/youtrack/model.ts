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
  /** When YouTrack's `/api/users` starts to show the user (Hub to YouTrack propagation lag). */
  youtrackFrom: number;
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
  /**
   * Made before 2026.1 (in Hub) rather than through YouTrack 2026.1's `/api/admin/organizations`;
   * after the upgrade Hub can only know these.
   */
  readonly hubEra: boolean;
}

export type TargetType = 'user' | 'userGroup' | 'organization';

/**
 * A field edit as the directory sees it; `events.ts` renders it as Hub's PrimitiveChange
 * (`oldValue`/`newValue` are strings in Hub's model).
 */
export interface EventChange {
  field: string;
  removed: string | number | boolean | null;
  added: string | number | boolean | null;
}

export interface Author {
  id: string;
  login: string;
}

/**
 * Hub's Change model (hub-rest-client `change.py`, `primitive_change.py`,
 * `aggregation_change.py`; Hub REST "JSON Scheme" page): `type` is required, the rest optional.
 */
export interface HubChange {
  type: string;
  fieldName?: string;
  fieldType?: string;
  oldValue?: string;
  newValue?: string;
  childChanges?: HubChange[];
}

/**
 * One audit event in Hub's Event model (hub-rest-client `event.py`): string `id` and `author`,
 * `type` the event kind, `timestamp` epoch ms. `changes` is usually HubChange[]; tests may append
 * events of any other shape through `EventLog.appendRaw`.
 */
export interface DirectoryEvent {
  id: string;
  targetId: string;
  targetType: string;
  targetPresentation: string;
  author: string;
  authorPresentation: string;
  authorType: string;
  type: string;
  changes: readonly unknown[];
  timestamp: number;
}

/**
 * Where a membership edit is logged, which Hub's public material does not say (see
 * docs/youtrack-emulator.md): on the group or organization with the member's id as the value
 * (`container`), or on the user with the container's id as the value (`member`).
 */
export type MembershipEvents = 'container' | 'member';

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
