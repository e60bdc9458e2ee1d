import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConnectorError } from '../types.ts';
import type { Ctx } from './context.ts';
import { organizationYouTrackId } from './reads.ts';
import { HUB, YT } from './wire.ts';

export type Container = 'Group' | 'Organization';

export interface UserFields {
  login?: string;
  fullName?: string;
  email?: string | null;
  banned?: boolean;
}
export interface NamedFields {
  name?: string;
  description?: string;
}

/**
 * One write path per API generation, behind one interface (as a Kysely dialect): Hub for
 * every version, YouTrack `/api` from 2026.1 on. Ids in and out are Hub ids; the 2026 path
 * translates them to YouTrack ids. Creates are sent once (`idempotent: false`): the caller
 * decides what to do after an ambiguous failure.
 */
export interface WritePath {
  createUser(u: UserFields & { login: string }): Promise<string>;
  updateUser(id: string, u: UserFields): Promise<void>;
  deleteUser(id: string): Promise<void>;
  create(type: Container, f: NamedFields & { name: string }): Promise<string>;
  update(type: Container, id: string, f: NamedFields): Promise<void>;
  remove(type: Container, id: string): Promise<void>;
  addMember(type: Container, containerId: string, userId: string): Promise<void>;
  removeMember(type: Container, containerId: string, userId: string): Promise<void>;
}

/** The ban reason Hub shows next to a user this product banned. */
export const BAN_REASON = 'Banned by Tandem: the linked CRM contact is inactive';

const created = z.looseObject({ id: z.string(), ringId: z.string().nullish() });
const enc = encodeURIComponent;
const allUsersPage = z.looseObject({
  usergroups: z.array(z.looseObject({ id: z.string(), allUsers: z.boolean().nullish() })).optional(),
});

/**
 * Deleting a user or a group takes a `successor` that inherits what it owned (reported as
 * required by a client library tested against a live 2026.2): the guest user for users, the
 * All Users group for groups, as that library passes. Hub ids; looked up once per connection.
 */
async function successors(ctx: Ctx): Promise<{ user: string; group: string }> {
  if (ctx.successors) return ctx.successors;
  // Hub documents `GET /users/guest` ("Get Guest"); without a guest, the token's owner.
  const guest = await ctx.http.get(`${HUB}/users/guest`, { fields: 'id' }, { allowStatus: [404] });
  const me = guest.status === 404 ? await ctx.http.get(`${HUB}/users/me`, { fields: 'id' }) : guest;
  const user = created.parse(me.body).id;
  const res = await ctx.http.get(
    `${HUB}/usergroups`,
    { fields: 'usergroups(id,allUsers)', query: 'is: allUsers', $top: 10 },
    { allowStatus: [400] },
  );
  const listed = res.status === 200 ? (allUsersPage.safeParse(res.body).data?.usergroups ?? []) : [];
  const group =
    listed.find((g) => g.allUsers)?.id ??
    [...ctx.groupTypes].find(([, type]) => type === 'AllUsersGroup')?.[0];
  if (!group)
    throw new ConnectorError(
      'UNAVAILABLE',
      'youtrack: Hub lists no All Users group to hand a deleted group to',
      {
        system: 'youtrack',
      },
    );
  ctx.successors = { user, group };
  return ctx.successors;
}

export function hubWrites(ctx: Ctx): WritePath {
  const http = ctx.http;
  const hubPath = (type: Container) => (type === 'Group' ? `${HUB}/usergroups` : `${HUB}/organizations`);
  const memberPath = (type: Container, cid: string) => `${hubPath(type)}/${enc(cid)}/users`;
  return {
    async createUser(u) {
      const res = await http.request({
        method: 'POST',
        path: `${HUB}/users`,
        query: { fields: 'id,login' },
        idempotent: false,
        body: {
          login: u.login,
          name: u.fullName ?? u.login,
          ...(u.email ? { profile: { email: { type: 'EmailJSON', email: u.email, verified: false } } } : {}),
          // Nobody learns this password: people sign in through SSO or reset it by e-mail.
          details: [
            {
              type: 'LoginuserdetailsJSON',
              login: u.login,
              password: { type: 'PlainpasswordJSON', value: randomBytes(24).toString('base64url') },
            },
          ],
          ...(u.banned ? { banned: true, banReason: BAN_REASON } : {}),
        },
      });
      return created.parse(res.body).id;
    },
    async updateUser(id, u) {
      const body: Record<string, unknown> = {};
      if (u.login !== undefined) body['login'] = u.login;
      if (u.fullName !== undefined) body['name'] = u.fullName;
      if (u.email !== undefined)
        body['profile'] = { email: u.email ? { type: 'EmailJSON', email: u.email, verified: false } : null };
      if (u.banned !== undefined)
        Object.assign(body, { banned: u.banned, banReason: u.banned ? BAN_REASON : null });
      await http.request({ method: 'POST', path: `${HUB}/users/${enc(id)}`, body, idempotent: true });
    },
    async deleteUser(id) {
      const { user } = await successors(ctx);
      await http.request({ method: 'DELETE', path: `${HUB}/users/${enc(id)}`, query: { successor: user } });
    },
    async create(type, f) {
      const res = await http.request({
        method: 'POST',
        path: hubPath(type),
        query: { fields: 'id,name' },
        idempotent: false,
        body: { name: f.name, description: f.description ?? '' },
      });
      return created.parse(res.body).id;
    },
    async update(type, id, f) {
      await http.request({ method: 'POST', path: `${hubPath(type)}/${enc(id)}`, body: f, idempotent: true });
    },
    async remove(type, id) {
      const query = type === 'Group' ? { successor: (await successors(ctx)).group } : undefined;
      await http.request({
        method: 'DELETE',
        path: `${hubPath(type)}/${enc(id)}`,
        ...(query ? { query } : {}),
      });
    },
    async addMember(type, cid, uid) {
      await http.request({
        method: 'POST',
        path: memberPath(type, cid),
        body: { id: uid },
        idempotent: true,
      });
    },
    async removeMember(type, cid, uid) {
      await http.request({ method: 'DELETE', path: `${memberPath(type, cid)}/${enc(uid)}` });
    },
  };
}

export function youtrack2026Writes(ctx: Ctx): WritePath {
  const http = ctx.http;
  const ytPath = (type: Container) => (type === 'Group' ? `${YT}/groups` : `${YT}/admin/organizations`);
  const idMap = (type: Container) => (type === 'Group' ? ctx.ids.groups : ctx.ids.orgs);
  // Hub hands new users and groups to YouTrack asynchronously: one missing from /api is not
  // there yet, so the write is planned again next cycle (STALE), never taken as a delete.
  const notYet = (type: 'User' | Container, id: string) =>
    new ConnectorError(
      'STALE',
      `youtrack: ${type} ${id} is not in YouTrack's /api yet (Hub passes new records on with a delay); it is tried again next cycle`,
      { system: 'youtrack', type, record: id },
    );
  const ytUserId = async (id: string) =>
    (await ctx.ids.users.resolve(id)) ?? Promise.reject(notYet('User', id));
  const ytContainerId = async (type: Container, id: string) =>
    (type === 'Group' ? await ctx.ids.groups.resolve(id) : await organizationYouTrackId(ctx, id)) ??
    Promise.reject(notYet(type, id));
  const successorIds = async () => {
    const s = await successors(ctx);
    return { user: await ytUserId(s.user), group: await ytContainerId('Group', s.group) };
  };
  const createdHubId = async (path: string, res: unknown, map: typeof ctx.ids.users) => {
    const c = created.parse(res);
    // A 2026.1 organization has no Hub twin: its YouTrack id is its id.
    if (map === ctx.ids.orgs) {
      map.remember(c.id, c.id);
      return c.id;
    }
    if (c.ringId) {
      map.remember(c.ringId, c.id);
      return c.ringId;
    }
    const again = await http.get(`${path}/${enc(c.id)}`, { fields: 'id,ringId' });
    const ringId = created.parse(again.body).ringId ?? c.id;
    map.remember(ringId, c.id);
    return ringId;
  };
  const memberPath = async (type: Container, cid: string) => {
    if (type === 'Organization')
      throw new ConnectorError(
        'INVALID_RECORD',
        `youtrack: YouTrack 2026.1 organizations hold projects, not users: user memberships of organization ${cid} cannot be written; give the contact a company that is a group`,
        { system: 'youtrack', type: 'Organization', record: cid, property: 'organizations' },
      );
    return `${ytPath(type)}/${enc(await ytContainerId(type, cid))}/ownUsers`;
  };
  return {
    async createUser(u) {
      const res = await http.request({
        method: 'POST',
        path: `${YT}/users`,
        query: { fields: 'id,ringId' },
        idempotent: false,
        body: {
          login: u.login,
          fullName: u.fullName ?? u.login,
          email: u.email ?? null,
          ...(u.banned ? { banned: true } : {}),
        },
      });
      return createdHubId(`${YT}/users`, res.body, ctx.ids.users);
    },
    async updateUser(id, u) {
      await http.request({
        method: 'POST',
        path: `${YT}/users/${enc(await ytUserId(id))}`,
        body: u,
        idempotent: true,
      });
    },
    async deleteUser(id) {
      const ytId = await ytUserId(id);
      const { user } = await successorIds();
      await http.request({ method: 'DELETE', path: `${YT}/users/${enc(ytId)}`, query: { successor: user } });
      ctx.ids.users.forget(id);
    },
    async create(type, f) {
      const res = await http.request({
        method: 'POST',
        path: ytPath(type),
        query: { fields: 'id,ringId' },
        idempotent: false,
        body: { name: f.name, description: f.description ?? '' },
      });
      return createdHubId(ytPath(type), res.body, idMap(type));
    },
    async update(type, id, f) {
      await http.request({
        method: 'POST',
        path: `${ytPath(type)}/${enc(await ytContainerId(type, id))}`,
        body: f,
        idempotent: true,
      });
    },
    async remove(type, id) {
      const ytId = await ytContainerId(type, id);
      const query = type === 'Group' ? { successor: (await successorIds()).group } : undefined;
      await http.request({
        method: 'DELETE',
        path: `${ytPath(type)}/${enc(ytId)}`,
        ...(query ? { query } : {}),
      });
      idMap(type).forget(id);
    },
    async addMember(type, cid, uid) {
      await http.request({
        method: 'POST',
        path: await memberPath(type, cid),
        body: { id: await ytUserId(uid) },
        idempotent: true,
      });
    },
    async removeMember(type, cid, uid) {
      await http.request({
        method: 'DELETE',
        path: `${await memberPath(type, cid)}/${enc(await ytUserId(uid))}`,
      });
    },
  };
}
