import type { MappingConfig } from '../../core/mapping.ts';
import type { Metrics } from '../../engine/metrics.ts';
import type { StateStore } from '../../store/types.ts';
import type { CsrfGuard } from './csrf.ts';

/** The part of the runner the dashboard uses; `SyncRunner` fits it. */
export interface DashboardRunner {
  schedule(): Array<{ connection: string; running: boolean; nextAt: number }>;
  trigger(connection: string): void;
}

export interface DashboardDeps {
  store: StateStore;
  metrics: Metrics;
  runner: DashboardRunner;
  /** Names the two sides' properties of each mapping row on a record's page. */
  mapping?: MappingConfig | undefined;
  now?: () => number;
}

export interface PageContext {
  deps: DashboardDeps;
  csrf: CsrfGuard;
  now: () => number;
}

/** Rows per page on every list: keeps each page one bounded store query. */
export const PAGE_SIZE = 50;
