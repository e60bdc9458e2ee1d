import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { stringify } from 'yaml';
import type { YouTrackEmulator } from '../../src/emulators/youtrack/index.ts';
import { openStore } from '../../src/store/index.ts';
import type { StateStore } from '../../src/store/types.ts';
import { tandem } from '../helpers/cli.ts';
import { YT_TOKEN } from '../helpers/world.ts';
import type { RealCrm, Row } from './servers.ts';

/** The YouTrack emulator, a real REST server from npm, a store file and the real `tandem` binary. */
export interface HubUser {
  id: string;
  login: string;
  name: string;
  guest?: boolean;
  profile?: { email?: { email?: string } | null };
  groups?: Array<{ id: string }>;
  organizations?: Array<{ id: string }>;
}

export class Rig {
  readonly dir = mkdtempSync(join(tmpdir(), 'tandem-realcrm-'));
  readonly file = join(this.dir, 'tandem.yaml');
  readonly storeUrl = `sqlite:${join(this.dir, 'tandem.db')}`;
  constructor(
    readonly yt: YouTrackEmulator,
    readonly crm: RealCrm,
    profile: Record<string, unknown> = crm.profile,
  ) {
    writeFileSync(
      this.file,
      stringify({
        store: this.storeUrl,
        connections: [
          {
            name: 'test',
            youtrack: {
              url: yt.url,
              token: '${YT_TOKEN}',
              retry: { baseDelayMs: 1, maxDelayMs: 20 },
              rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
            },
            customcrm: {
              url: crm.url,
              profile,
              retry: { baseDelayMs: 1, maxDelayMs: 20 },
              rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
            },
          },
        ],
      }),
    );
  }

  sync(env: Record<string, string> = {}) {
    return this.tandem(['sync', '--json'], env);
  }

  tandem(args: string[], env: Record<string, string> = {}) {
    return tandem([...args, '--config', this.file], { YT_TOKEN, ...env }, 240_000);
  }

  async hub<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.yt.url}/hub/api/rest${path}`, {
      method,
      headers: { authorization: `Bearer ${YT_TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async users(): Promise<HubUser[]> {
    const page = await this.hub<{ users: HubUser[] }>(
      'GET',
      `/users?$top=-1&fields=${encodeURIComponent('id,login,name,guest,profile(email(email)),groups(id),organizations(id)')}`,
    );
    return page.users.filter((u) => !u.guest);
  }

  async withStore<T>(fn: (s: StateStore) => Promise<T>): Promise<T> {
    const root = await openStore(this.storeUrl);
    try {
      return await fn(root.forConnection('test'));
    } finally {
      await root.close();
    }
  }

  async close(): Promise<void> {
    await this.crm.close();
    await this.yt.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const emailOf = (u: HubUser) => u.profile?.email?.email ?? undefined;

/** Contacts per reference and per id: a created record found twice, or twice created, shows here. */
export async function expectNoDuplicates(rig: Rig): Promise<Row[]> {
  const people = await rig.crm.all('contacts');
  const refs = people.map((p) => p[rig.crm.wire.reference]).filter((r) => r !== undefined && r !== null);
  expect(new Set(refs).size, 'two contacts carry the same YouTrack reference').toBe(refs.length);
  const links = await rig.withStore((s) => s.listLinks({ flow: 'users' }));
  const crmIds = links.map((l) => l.crmId);
  expect(new Set(crmIds).size, 'two users linked to one contact').toBe(crmIds.length);
  const ids = new Set(people.map((p) => String(p.id)));
  for (const id of crmIds) expect(ids.has(id), `linked contact ${id} exists`).toBe(true);
  // Every contact is linked: a create whose link was lost would be an unlinked extra contact.
  expect(people.length, 'contacts without a link (duplicates)').toBe(crmIds.length);
  return people;
}
