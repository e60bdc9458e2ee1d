import type { Directory } from './directory.ts';
import type { Group, Organization, User } from './model.ts';
import { badRequest } from './reply.ts';
import { accessPredicate } from './roles.ts';

/**
 * Hub's `query` parameter, the subset a directory sync needs: clauses `key: value` joined by
 * `and`, alternatives joined by `or`; values may be wrapped in `{...}` or quotes; a clause
 * without a key is a free-text search. Matching is case-insensitive.
 */
export interface Clause {
  key: string;
  value: string;
}
export type Query = Clause[][];

export function parseQuery(text: string | null): Query {
  if (text === null || !text.trim()) return [];
  return splitOutside(text, 'or').map((alt) =>
    splitOutside(alt, 'and').map((clause) => {
      // Hub's `access(project: P, with: role)` (Hub REST "Get All Users"): one clause, kept whole.
      const access = /^\s*access\s*\((.*)\)\s*$/s.exec(clause);
      if (access) return { key: 'access()', value: access[1] ?? '' };
      const m = /^\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$/s.exec(clause);
      const [key, raw] = m ? [m[1] ?? '', m[2] ?? ''] : ['', clause.trim()];
      return { key, value: unwrap(raw) };
    }),
  );
}

/** Splits on a keyword surrounded by spaces, except inside `{...}` or quotes (`name: {Tom and Jerry}`). */
function splitOutside(text: string, keyword: string): string[] {
  const parts: string[] = [];
  const sep = new RegExp(`^\\s+${keyword}\\s+`, 'i');
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '{') depth++;
    else if (!quoted && ch === '}') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && /\s/.test(ch ?? '')) {
      const m = sep.exec(text.slice(i));
      if (m) {
        parts.push(text.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function unwrap(raw: string): string {
  const m = /^\{(.*)\}$/.exec(raw) ?? /^"(.*)"$/.exec(raw);
  return (m ? (m[1] ?? '') : raw).trim();
}

type Predicate<T> = (value: string) => (e: T) => boolean;

const ci = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();
const contains = (a: string | null, b: string) => a !== null && a.toLowerCase().includes(b.toLowerCase());
const starts = (a: string, b: string) => a.toLowerCase().startsWith(b.toLowerCase());

function userPredicates(dir: Directory): Record<string, Predicate<User>> {
  return {
    'access()': (v) => accessPredicate(dir, v),
    '': (v) => (u) => contains(u.login, v) || contains(u.name, v) || contains(u.email, v),
    login: (v) => (u) => ci(u.login, v),
    name: (v) => (u) => ci(u.name, v),
    email: (v) => (u) => ci(u.email, v),
    nameStartsWith: (v) => (u) => starts(u.name, v),
    loginStartsWith: (v) => (u) => starts(u.login, v),
    is: (v) => {
      if (ci(v, 'banned')) return (u) => u.banned;
      if (ci(v, 'guest')) return (u) => u.guest;
      throw badRequest(`Unknown value "is: ${v}" for users (known: banned, guest)`);
    },
  };
}

function groupPredicates(dir: Directory): Record<string, Predicate<Group>> {
  return {
    '': (v) => (g) => contains(g.name, v),
    name: (v) => (g) => ci(g.name, v),
    parent: (v) => (g) => {
      const p = g.parentId ? dir.groups.get(g.parentId) : undefined;
      return p !== undefined && (p.hubId === v || ci(p.name, v));
    },
    user: (v) => (g) => {
      const u = dir.userByLogin(v) ?? dir.users.get(v);
      return u !== undefined && g.ownUsers.has(u.hubId);
    },
    is: (v) => {
      if (ci(v, 'allUsers')) return (g) => g.kind === 'allUsers';
      if (ci(v, 'registeredUsers')) return (g) => g.kind === 'registeredUsers';
      throw badRequest(`Unknown value "is: ${v}" for groups (known: allUsers, registeredUsers)`);
    },
  };
}

function organizationPredicates(): Record<string, Predicate<Organization>> {
  return {
    '': (v) => (o) => contains(o.name, v) || contains(o.key, v),
    name: (v) => (o) => ci(o.name, v),
    key: (v) => (o) => ci(o.key, v),
    after: (v) => (o) => o.creationTime > instant(v),
    before: (v) => (o) => o.creationTime < instant(v),
  };
}

/** An ISO 8601 instant or epoch milliseconds. */
export function instant(text: string): number {
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t))
    throw badRequest(`"${text}" is neither an ISO 8601 instant nor epoch milliseconds`);
  return t;
}

function compile<T>(query: Query, preds: Record<string, Predicate<T>>, what: string): (e: T) => boolean {
  const alts = query.map((clauses) =>
    clauses.map(({ key, value }) => {
      const make = preds[key];
      if (!make)
        throw badRequest(
          `Unknown query key "${key}" for ${what} (known: ${Object.keys(preds).filter(Boolean).join(', ')})`,
        );
      return make(value);
    }),
  );
  return (e) => alts.length === 0 || alts.some((all) => all.every((p) => p(e)));
}

/**
 * Users matching the query, in creation order. When every alternative has a `login:` or
 * `email:` clause (a connector joining a page by `login: a or login: b ...`), the candidates come
 * from the indexes; anything else scans.
 */
export function findUsers(dir: Directory, query: Query): readonly User[] {
  if (query.length === 0) return dir.users.all;
  const test = compile(query, userPredicates(dir), 'users');
  const keys = query.map((clauses) => clauses.find((c) => c.key === 'login' || c.key === 'email'));
  if (keys.every((c) => c !== undefined)) {
    const candidates = new Set<User>();
    for (const c of keys) {
      if (!c) continue;
      if (c.key === 'email') for (const u of dir.usersByEmail(c.value)) candidates.add(u);
      else {
        const u = dir.userByLogin(c.value);
        if (u) candidates.add(u);
      }
    }
    return [...candidates].filter(test).sort((a, b) => a.seq - b.seq);
  }
  return dir.users.all.filter(test);
}

export function findGroups(dir: Directory, query: Query): readonly Group[] {
  if (query.length === 0) return dir.groups.all;
  return dir.groups.all.filter(compile(query, groupPredicates(dir), 'groups'));
}

export function findOrganizations(dir: Directory, query: Query): readonly Organization[] {
  if (query.length === 0) return dir.organizations.all;
  return dir.organizations.all.filter(compile(query, organizationPredicates(), 'organizations'));
}

export type SortKeys<T> = Record<string, (e: T) => string | number>;

export const userSortKeys: SortKeys<User> = {
  id: (u) => u.hubId,
  login: (u) => u.login.toLowerCase(),
  name: (u) => u.name.toLowerCase(),
  creationTime: (u) => u.creationTime,
  lastAccessTime: (u) => u.lastAccessTime,
};
export const groupSortKeys: SortKeys<Group> = { id: (g) => g.hubId, name: (g) => g.name.toLowerCase() };
export const organizationSortKeys: SortKeys<Organization> = {
  id: (o) => o.hubId,
  name: (o) => o.name.toLowerCase(),
  key: (o) => o.key.toLowerCase(),
  creationTime: (o) => o.creationTime,
};

/**
 * Hub's `orderBy=field[:asc|desc]`. Without it lists stay in creation order (no sort at all);
 * with it the matching entities are sorted for this request only.
 */
export function orderBy<T>(items: readonly T[], spec: string | null, keys: SortKeys<T>): readonly T[] {
  if (spec === null || !spec.trim()) return items;
  const [field = '', dir = 'asc'] = spec
    .trim()
    .split(':')
    .map((s) => s.trim());
  const key = keys[field];
  if (!key || (dir !== 'asc' && dir !== 'desc'))
    throw badRequest(
      `orderBy "${spec}": use field[:asc|desc] with field one of ${Object.keys(keys).join(', ')}`,
    );
  const sign = dir === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}
