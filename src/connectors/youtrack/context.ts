import type { HttpClient } from '../../http/client.ts';
import type { Logger } from '../../log/logger.ts';
import type { IdMap } from './ids.ts';

export type ApiMode = 'hub' | '2026';

/** What the read and write paths share: one HTTP client (one rate limit) for YouTrack and Hub. */
export interface Ctx {
  http: HttpClient;
  pageSize: number;
  logger: Logger;
  mode: () => ApiMode;
  ids: { users: IdMap; groups: IdMap; orgs: IdMap };
  /** Hub group id → YouTrack `$type`, from the last read of `/api/groups` (built-ins, teams). */
  groupTypes: Map<string, string>;
  /** Users this connector created in Hub, with when: they may not be in `/api/users` yet. */
  recentUsers: Map<string, number>;
  now: () => number;
  /** Hub ids of the successors deletes hand data to, once looked up. */
  successors?: { user: string; group: string };
}
