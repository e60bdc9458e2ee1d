import { z } from 'zod';
import { HttpError } from '../../http/errors.ts';
import type { Ctx } from './context.ts';
import { hubPages } from './paging.ts';
import { HUB, hubQueryValue } from './wire.ts';

/**
 * Who administers the YouTrack/Hub instance (issue 14: administrators are protected accounts).
 * Hub documents the System Admin role ("assigned all available permissions"; it cannot be deleted
 * but can be renamed), roles as `{id, key, name, ...}` under `GET /hub/api/rest/roles`, and the
 * users query `access(with: role)` ("users who have the given role in some project"). What it
 * leaves open is answered conservatively: the role is recognised by its key `system-admin` or by
 * its default name; a holder in any project counts (more protection, never less); a token that
 * may not read roles (403), a query the server does not understand (400) or no such role gives
 * `problem` instead of logins, and the engine keeps the configured list alone.
 */

export interface Administrators {
  logins?: string[];
  /** Why the administrators could not be told (warned once by the connector). */
  problem?: string;
}

const SYSTEM_ADMIN_KEY = 'system-admin';
const SYSTEM_ADMIN_NAME = 'system admin';

const role = z.looseObject({ id: z.string(), key: z.string().nullish(), name: z.string().nullish() });
const login = z.looseObject({ login: z.string() });

export async function readAdministrators(ctx: Ctx): Promise<Administrators> {
  try {
    const roles: Array<z.infer<typeof role>> = [];
    for await (const page of hubPages(ctx.http, {
      path: `${HUB}/roles`,
      key: 'roles',
      fields: 'id,key,name',
      schema: role,
      pageSize: 100,
    }))
      roles.push(...page);
    const admin = roles.filter(
      (r) => r.key === SYSTEM_ADMIN_KEY || r.name?.trim().toLowerCase() === SYSTEM_ADMIN_NAME,
    );
    if (admin.length === 0)
      return {
        problem: `Hub lists no role with the key '${SYSTEM_ADMIN_KEY}' or the name 'System Admin' (renamed?)`,
      };
    const logins = new Set<string>();
    for (const r of admin)
      for await (const page of hubPages(ctx.http, {
        path: `${HUB}/users`,
        key: 'users',
        fields: 'id,login',
        schema: login,
        pageSize: Math.max(ctx.pageSize, 100),
        query: `access(with: ${hubQueryValue(r.name ?? r.id)})`,
      }))
        for (const u of page) logins.add(u.login);
    return { logins: [...logins] };
  } catch (err) {
    if (err instanceof HttpError && (err.status === 403 || err.status === 400 || err.status === 404))
      return {
        problem:
          err.status === 403
            ? "the token's owner may not read Hub roles (Hub permission Read Role)"
            : `Hub refused the administrators query (HTTP ${err.status}): ${err.message}`,
      };
    throw err;
  }
}
