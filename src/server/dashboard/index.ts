import type { Context } from '../../cli/context.ts';
import type { SyncRunner } from '../../engine/runner.ts';
import type { Route } from '../http.ts';

/** The dashboard's routes (issue 6). */
export function dashboardRoutes(_ctx: Context, _runner: SyncRunner): Route[] {
  return [];
}
