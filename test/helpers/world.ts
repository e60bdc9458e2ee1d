import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startYouTrackEmulator,
  type YouTrackEmulator,
  type YouTrackEmulatorOptions,
} from '../../src/emulators/youtrack/index.ts';
import {
  startCustomcrmServer,
  type CustomcrmServer,
  type CustomcrmServerOptions,
} from '../../src/emulators/customcrm/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { TandemConfig } from '../../src/config/schema.ts';
import { runCycle, type CycleOptions, type CycleReport } from '../../src/engine/cycle.ts';
import type { ConnectionRuntime } from '../../src/engine/runtime.ts';
import { buildApp } from '../../src/app/app.ts';
import { Metrics } from '../../src/engine/metrics.ts';
import { JsonLogger, MemorySink } from '../../src/log/logger.ts';
import { openStore } from '../../src/store/index.ts';
import type { StateStore } from '../../src/store/types.ts';

export const YT_TOKEN = 'perm:test-yt-token-Zq81';
export const CRM_TOKEN = 'crm-test-token-Hx55';

export interface WorldOptions {
  youtrack?: YouTrackEmulatorOptions;
  customcrm?: CustomcrmServerOptions;
  /** Overrides of the connection's sync policy, schedule or mapping. */
  connection?: Record<string, unknown>;
  /** The Customcrm connector's profile (docs/customcrm-connector.md). */
  customcrmProfile?: Record<string, unknown>;
  store?: string;
}

/**
 * Both emulators on loopback, a real store file, and one connection wired exactly as `tandem sync`
 * wires it. Edits are made over the systems' own HTTP APIs, as a person's tools would.
 */
export class World {
  private root: StateStore | undefined;
  private constructor(
    readonly dir: string,
    readonly yt: YouTrackEmulator,
    readonly crm: CustomcrmServer,
    readonly config: TandemConfig,
    readonly store: StateStore,
    readonly rt: ConnectionRuntime,
    readonly logs: MemorySink,
    readonly metrics: Metrics,
  ) {}

  static async start(opts: WorldOptions = {}): Promise<World> {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-world-'));
    const yt = await startYouTrackEmulator({ seed: 'demo', token: YT_TOKEN, ...opts.youtrack });
    const crm = await startCustomcrmServer({
      seed: 'demo',
      token: CRM_TOKEN,
      db: join(dir, 'crm.db'),
      ...opts.customcrm,
    });
    const config = parseConfig({
      store: opts.store ?? `sqlite:${join(dir, 'tandem.db')}`,
      connections: [
        {
          name: 'test',
          youtrack: {
            url: yt.url,
            token: YT_TOKEN,
            retry: { baseDelayMs: 1, maxDelayMs: 20 },
            rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
          },
          customcrm: {
            url: `${crm.url}/v1`,
            token: CRM_TOKEN,
            ...(opts.customcrmProfile ? { profile: opts.customcrmProfile } : {}),
            retry: { baseDelayMs: 1, maxDelayMs: 20 },
            rateLimit: { ratePerSecond: 10_000, burst: 10_000 },
          },
          ...opts.connection,
        },
      ],
    });
    const root = await openStore(config.store);
    const logs = new MemorySink();
    const metrics = new Metrics();
    // Wired by the composition root, as `tandem sync` is; the app's store is the connection's view
    // (links, history and quarantine are scoped by connection).
    const app = buildApp(config, { store: root, logger: new JsonLogger(logs, 'debug'), metrics });
    const world = new World(dir, yt, crm, config, app.store, app.runtimes[0]!, logs, metrics);
    world.root = root;
    return world;
  }

  /** A cycle of the connection (full unless told), on the World's store or on `store`. */
  sync(opts: Partial<CycleOptions> = {}, store: StateStore = this.store): Promise<CycleReport> {
    return runCycle(
      this.rt,
      { store, logger: new JsonLogger(this.logs, 'debug'), metrics: this.metrics },
      { kind: 'full', ...opts },
    );
  }

  /** An open conflict on a user's full name, YouTrack's value applied: for what shows conflicts. */
  addNameConflict(linkId: number, winnerValue: string, loserValue: string) {
    return this.store.addConflict({
      linkId,
      flow: 'users',
      property: 'fullName',
      winnerSide: 'youtrack',
      winnerValue,
      loserSide: 'customcrm',
      loserValue,
      at: new Date().toISOString(),
    });
  }

  /** Active links in `store` (the World's unless told), over every flow. */
  async activeLinks(store: StateStore = this.store): Promise<number> {
    return (await store.countLinks()).filter((r) => r.status === 'active').reduce((n, r) => n + r.count, 0);
  }

  async hub<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(`${this.yt.url}/hub/api/rest${path}`, YT_TOKEN, method, body);
  }

  async ytApi<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(`${this.yt.url}/api${path}`, YT_TOKEN, method, body);
  }

  async crmApi<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    return call<T>(`${this.crm.url}/v1${path}`, CRM_TOKEN, method, body, headers);
  }

  /** Every record of a Customcrm collection, through the API's own paging. */
  async crmAll<T = Record<string, unknown>>(collection: 'customers' | 'contacts'): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: T[]; nextCursor: string | null } = await this.crmApi(
        'GET',
        `/${collection}?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
      );
      out.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  async hubAll<T = Record<string, unknown>>(
    collection: 'users' | 'usergroups' | 'organizations',
    fields: string,
  ): Promise<T[]> {
    const page = await this.hub<Record<string, unknown>>(
      'GET',
      `/${collection}?$top=-1&fields=${encodeURIComponent(fields)}`,
    );
    return (page[collection] as T[] | undefined) ?? [];
  }

  async close(): Promise<void> {
    await (this.root ?? this.store).close();
    await this.yt.close();
    await this.crm.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function call<T>(
  url: string,
  token: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export function totalWrites(r: CycleReport): number {
  return r.writes;
}
