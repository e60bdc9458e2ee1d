import type { MappingConfig } from '../../core/mapping.ts';
import type { Metrics } from '../../engine/metrics.ts';
import type { UndoReport } from '../../engine/undo.ts';
import type { StateStore } from '../../store/types.ts';
import type { CsrfGuard } from './csrf.ts';

/** The part of the runner the dashboard uses; `SyncRunner` fits it. */
export interface DashboardRunner {
  schedule(): Array<{ connection: string; running: boolean; nextAt: number }>;
  trigger(connection: string): void;
}

/** A connection of the configuration; `ConnectionRuntime` fits it. */
export interface DashboardConnection {
  name: string;
  /** Names the two sides' properties of each mapping row on a record's page. */
  mapping?: MappingConfig | undefined;
}

export interface DashboardDeps {
  /** The state store; each connection's pages see it through `forConnection`. */
  store: StateStore;
  /** The configured connections, in the file's order; without them, the store's own connection. */
  connections?: readonly DashboardConnection[] | undefined;
  metrics: Metrics;
  runner: DashboardRunner;
  now?: () => number;
  /** `tandem undo` of a connection's cycle (dry run or for real); absent, the cycles page offers no undo. */
  undo?: ((connection: string, cycle: number, opts: { dryRun: boolean }) => Promise<UndoReport>) | undefined;
}

export interface PageContext {
  deps: DashboardDeps;
  csrf: CsrfGuard;
  now: () => number;
}

/** What one connection's pages work with: its own view of the store and the prefix of its URLs. */
export interface ConnectionPage extends PageContext {
  name: string;
  store: StateStore;
  mapping: MappingConfig | undefined;
  /** `/c/NAME`: every link and form on the connection's pages starts with it. */
  base: string;
}

/** Rows per page on every list: keeps each page one bounded store query. */
export const PAGE_SIZE = 50;
