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
}
