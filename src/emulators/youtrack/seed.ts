import { demoGroups, demoOrganizations, demoPeople } from '../shared/demo-data.ts';
import { seededRandom } from '../shared/faults.ts';
import type { Directory } from './directory.ts';
import type { Group, Organization } from './model.ts';
import {
  asciiSlug,
  departments,
  emailDomains,
  firstNames,
  lastNames,
  legalForms,
  orgTrades,
  orgWords,
  places,
} from './names.ts';

/** Seeded entities get fixed creation times, one hour apart from this instant, so a seed is repeatable. */
const SEED_EPOCH = Date.UTC(2024, 0, 15, 9, 0, 0);
const HOUR = 3_600_000;

export interface GeneratedCounts {
  users: number;
  groups: number;
  orgs: number;
}

/** The guest account and two project teams exist on every non-empty instance. */
function seedCommon(dir: Directory): Group[] {
  dir.createUser({ login: 'guest', name: 'Guest', guest: true, creationTime: SEED_EPOCH });
  return [
    dir.createTeam({ ytId: '0-0', name: 'Demo Project', shortName: 'DEMO' }),
    dir.createTeam({ ytId: '0-1', name: 'Service Desk', shortName: 'SD' }),
  ];
}

/** The shared demo directory (src/emulators/shared/demo-data.ts), without events. */
export function seedDemo(dir: Directory): void {
  dir.bulkLoad(() => {
    const teams = seedCommon(dir);
    let t = SEED_EPOCH;
    const orgs = new Map<string, Organization>();
    for (const o of demoOrganizations)
      orgs.set(o.name, dir.createOrganization({ ...o, projectsCount: 1, creationTime: (t += HOUR) }));
    const groups = new Map<string, Group>();
    for (const g of demoGroups) {
      const parentId = g.parent ? groups.get(g.parent)?.hubId : undefined;
      groups.set(
        g.name,
        dir.createGroup({ name: g.name, description: g.description, parentId, creationTime: (t += HOUR) }),
      );
    }
    demoPeople.forEach((p, i) => {
      const user = dir.createUser({
        login: p.login,
        name: p.fullName,
        email: p.email,
        banned: p.banned ?? false,
        banReason: p.banned ? 'Left the company' : null,
        creationTime: (t += HOUR),
      });
      for (const g of p.groups) dir.addMember(groups.get(g)?.hubId ?? g, user.hubId);
      if (p.organization) dir.addOrganizationMember(orgs.get(p.organization)?.hubId ?? '', user.hubId);
      const team = teams[i % 3];
      if (team) dir.addMember(team.hubId, user.hubId);
    });
    dir.addMember(teams[0]?.hubId ?? '', dir.admin.hubId);
  });
}

/**
 * A generated directory that looks real and is the same for the same `randomSeed`: names with
 * diacritics, ~5 % without e-mail, a few shared e-mails, ~3 % banned, people in 1–3 groups,
 * ~70 % in an organization, about a quarter of the groups nested.
 */
export function seedGenerated(dir: Directory, counts: GeneratedCounts, randomSeed: number): void {
  const rnd = seededRandom(randomSeed * 7919 + 17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  dir.bulkLoad(() => {
    seedCommon(dir);
    const orgs = generateOrganizations(dir, counts.orgs, pick, rnd);
    const groups = generateGroups(dir, counts.groups, pick, rnd);
    for (const g of groups)
      if (orgs.length > 0 && rnd() < 0.2) dir.addOrganizationGroup(pick(orgs).hubId, g.hubId);
    const emails: string[] = [];
    const nextSuffix = new Map<string, number>();
    const slug = memoize(asciiSlug);
    for (let i = 0; i < counts.users; i++) {
      const first = pick(firstNames);
      const last = pick(lastNames);
      const login = uniqueLogin(dir, `${slug(first)}.${slug(last)}`, nextSuffix);
      const org = orgs.length > 0 && rnd() < 0.7 ? pick(orgs) : undefined;
      const domain = org ? `${slug(org.key)}.example` : pick(emailDomains);
      const roll = rnd();
      let email: string | null = `${login}@${domain}`;
      if (roll < 0.05) email = null;
      else if (roll < 0.06 && emails.length > 0) email = pick(emails).toUpperCase();
      if (email) emails.push(email);
      const banned = rnd() < 0.03;
      const user = dir.createUser({
        login,
        name: `${first} ${last}`,
        email,
        banned,
        banReason: banned ? 'Left the company' : null,
        creationTime: SEED_EPOCH + i * 60_000,
        lastAccessTime: SEED_EPOCH + i * 60_000 + Math.floor(rnd() * 90 * 24 * HOUR),
      });
      if (org) dir.addOrganizationMember(org.hubId, user.hubId);
      const memberships = groups.length === 0 ? 0 : 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < memberships; m++) dir.addMember(pick(groups).hubId, user.hubId);
    }
  });
}

function generateOrganizations(
  dir: Directory,
  count: number,
  pick: <T>(list: readonly T[]) => T,
  rnd: () => number,
): Organization[] {
  const out: Organization[] = [];
  for (let i = 0; i < count; i++) {
    const base = `${pick(orgWords)} ${pick(orgTrades)}`;
    let name = `${base} ${pick(legalForms)}`;
    for (let n = 2; dir.organizationByName(name); n++) name = `${base} ${n} ${pick(legalForms)}`;
    const key = `${asciiSlug(base).slice(0, 8).toUpperCase()}${i}`;
    const description = `${base} – customer since ${2010 + Math.floor(rnd() * 15)}`;
    const projectsCount = Math.floor(rnd() * 6);
    out.push(dir.createOrganization({ key, name, description, projectsCount, creationTime: SEED_EPOCH + i }));
  }
  return out;
}

function generateGroups(
  dir: Directory,
  count: number,
  pick: <T>(list: readonly T[]) => T,
  rnd: () => number,
): Group[] {
  const out: Group[] = [];
  for (let i = 0; i < count; i++) {
    let name = i < departments.length ? (departments[i] ?? 'Group') : `${pick(departments)} ${pick(places)}`;
    for (let n = 2; dir.groupByNameCi(name); n++) name = `${name.replace(/ \d+$/, '')} ${n}`;
    const parentId = out.length > 3 && rnd() < 0.25 ? pick(out).hubId : undefined;
    out.push(
      dir.createGroup({ name, description: `${name} team`, parentId, creationTime: SEED_EPOCH + i * HOUR }),
    );
  }
  return out;
}

/** `nextSuffix` remembers the last number used per base, so 100,000 logins cost no rescans. */
function uniqueLogin(dir: Directory, base: string, nextSuffix: Map<string, number>): string {
  let n = nextSuffix.get(base) ?? 1;
  let login = n === 1 ? base : `${base}${n}`;
  while (dir.userByLogin(login)) login = `${base}${++n}`;
  nextSuffix.set(base, n + 1);
  return login;
}

function memoize(fn: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) cache.set(s, (v = fn(s)));
    return v;
  };
}
