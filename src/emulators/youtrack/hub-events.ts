import type {
  Author,
  DirectoryEvent,
  EventChange,
  Group,
  HubChange,
  MembershipEvents,
  Organization,
  User,
} from './model.ts';

/**
 * Events in Hub's published model (hub-rest-client, generated from Hub's openapi.json:
 * `event.py`, `change.py`, `primitive_change.py`, `aggregation_change.py`). Which strings fill
 * the model is not public; the choices below are marked in docs/youtrack-emulator.md:
 *  - `type` of an event: `created`, `updated`, `deleted` (the values the "Get All Events"
 *    reference gives for its `event:` query key);
 *  - `type` of a change: the JSON Scheme names `primitiveChange`, `aggregationChange` (Hub's
 *    entities carry their scheme name as `type`, e.g. `user`, `userGroup`);
 *  - `fieldType`: the Hub type of the field (`string`, `boolean`, `user`, ...).
 */
export type EventKind = 'created' | 'updated' | 'deleted';

type Target = User | Group | Organization;

function targetType(t: Target): DirectoryEvent['targetType'] {
  return 'login' in t ? 'user' : 'kind' in t ? 'userGroup' : 'organization';
}

function presentation(t: Target): string {
  return 'login' in t ? t.login : t.name;
}

/** PrimitiveChange values are strings in Hub's model; null stays absent. */
function primitive(c: EventChange): HubChange {
  const fieldType = typeof c.added === 'boolean' || typeof c.removed === 'boolean' ? 'boolean' : 'string';
  return {
    type: 'primitiveChange',
    fieldName: c.field,
    fieldType,
    ...(c.removed === null ? {} : { oldValue: String(c.removed) }),
    ...(c.added === null ? {} : { newValue: String(c.added) }),
  };
}

function base(author: Author, target: Target, kind: EventKind, changes: HubChange[]) {
  return {
    targetId: target.hubId,
    targetType: targetType(target),
    targetPresentation: presentation(target),
    author: author.id,
    authorPresentation: author.login,
    authorType: 'user',
    type: kind,
    changes,
  };
}

export function hubEvent(
  kind: EventKind,
  target: Target,
  changes: EventChange[],
  author: Author,
): Omit<DirectoryEvent, 'id' | 'timestamp'> {
  return base(author, target, kind, changes.map(primitive));
}

/**
 * A member added to or removed from a group or organization, as one AggregationChange whose
 * children are PrimitiveChanges naming the other end by its Hub id: on the container
 * (`fieldName` `ownUsers` for groups, `users` for organizations) or on the user (`groups`,
 * `organizations`), as `form` says.
 */
export function membershipEvent(
  form: MembershipEvents,
  container: Group | Organization,
  user: User,
  added: boolean,
  author: Author,
): Omit<DirectoryEvent, 'id' | 'timestamp'> {
  const isGroup = 'kind' in container;
  const onContainer = form === 'container';
  const fieldName = onContainer ? (isGroup ? 'ownUsers' : 'users') : isGroup ? 'groups' : 'organizations';
  const fieldType = onContainer ? 'user' : isGroup ? 'userGroup' : 'organization';
  const other = onContainer ? user.hubId : container.hubId;
  const child: HubChange = {
    type: 'primitiveChange',
    fieldName,
    fieldType,
    ...(added ? { newValue: other } : { oldValue: other }),
  };
  const change: HubChange = { type: 'aggregationChange', fieldName, fieldType, childChanges: [child] };
  return base(author, onContainer ? container : user, 'updated', [change]);
}
