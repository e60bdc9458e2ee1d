import { createHash } from 'node:crypto';
import type { Props, PropValue, RemoteRecord, YouTrackType } from '../../core/types.ts';
import type { HubGroup, HubGroupRef, HubOrg, HubUser, YtGroup, YtOrg, YtUser } from './wire.ts';

export type GroupKind = 'regular' | 'allUsers' | 'registeredUsers' | 'projectTeam';

/**
 * Content hash of props: sha256 of canonical JSON (sorted keys). Props never hold volatile
 * fields (online, lastAccessTime, avatars), so a record that only changed those hashes the same.
 */
export function hashProps(props: Props): string {
  const keys = Object.keys(props).sort();
  const canonical = JSON.stringify(keys.map((k) => [k, canonicalValue(props[k] ?? null)]));
  return createHash('sha256').update(canonical).digest('hex');
}

function canonicalValue(v: PropValue): PropValue {
  return Array.isArray(v) ? [...(v as readonly string[])].sort() : v;
}

export function makeRecord(
  type: YouTrackType,
  id: string,
  props: Props,
  youtrackId?: string | null,
): RemoteRecord {
  const hash = hashProps(props);
  return {
    system: 'youtrack',
    type,
    id,
    props,
    hash,
    // YouTrack has no ETag; the content hash stands in, checked by a read before the write.
    version: hash,
    ...(youtrackId ? { aliases: { youtrackId } } : {}),
  };
}

/** `ytType` is YouTrack's `$type` of the same group: Hub's model has no Registered Users flag. */
export function groupRefKind(g: HubGroupRef, ytType?: string): GroupKind {
  if (g.allUsers || ytType === 'AllUsersGroup') return 'allUsers';
  if (ytType === 'RegisteredUsersGroup') return 'registeredUsers';
  if (g.project || g.id.endsWith('_team') || ytType === 'ProjectTeam') return 'projectTeam';
  return 'regular';
}

const sortedIds = (refs: ReadonlyArray<{ id: string }> | null | undefined): string[] =>
  [...new Set((refs ?? []).map((r) => r.id))].sort();

/**
 * Hub is the source for every prop; YouTrack fills in when Hub did not answer for the user.
 * `groupTypes` maps Hub group ids to YouTrack's `$type`, to leave the built-ins out.
 */
export function userRecord(
  hub: HubUser | undefined,
  yt: YtUser | undefined,
  groupTypes: ReadonlyMap<string, string> = new Map(),
): RemoteRecord | null {
  const id = hub?.id ?? yt?.ringId;
  const login = hub?.login ?? yt?.login;
  if (!id || login === undefined) return null;
  const props: Props = {
    login,
    fullName: hub?.name ?? yt?.fullName ?? login,
    email: nonEmpty(hub?.profile?.email?.email) ?? nonEmpty(yt?.email) ?? null,
    banned: hub?.banned ?? yt?.banned ?? false,
    organizations: sortedIds(hub?.organizations),
    groups: sortedIds((hub?.groups ?? []).filter((g) => groupRefKind(g, groupTypes.get(g.id)) === 'regular')),
  };
  return makeRecord('User', id, props, yt?.id);
}

export function groupRecord(hub: HubGroup, yt: YtGroup | undefined): RemoteRecord {
  const props: Props = {
    name: hub.name,
    description: hub.description ?? '',
    kind: groupRefKind(hub, yt?.$type),
    parent: hub.parent?.id ?? null,
  };
  return makeRecord('Group', hub.id, props, yt?.id);
}

export function hubOrgRecord(o: HubOrg): RemoteRecord {
  return makeRecord('Organization', o.id, { name: o.name, description: o.description ?? '' });
}

/**
 * 2026.1 organizations: `id` is the Hub id the organization had before the upgrade (found by
 * its key), so that links made in the Hub era hold; one made since has only its YouTrack id.
 */
export function ytOrgRecord(o: YtOrg, id: string): RemoteRecord {
  return makeRecord(
    'Organization',
    id,
    { name: o.name, description: o.description ?? '' },
    id === o.id ? null : o.id,
  );
}

function nonEmpty(s: string | null | undefined): string | undefined {
  return s ? s : undefined;
}
