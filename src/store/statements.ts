import type { FlowName } from '../core/types.ts';
import type { SqlValue } from './driver.ts';
import type { Queries } from './queries.ts';
import type { ConflictStatus, LinkStatus, QuarantineStatus } from './types.ts';

/** A statement and its parameters, the connection last. */
export interface Statement {
  sql: string;
  params: SqlValue[];
}

export interface LinkQuery {
  flow?: FlowName;
  status?: LinkStatus;
  limit?: number;
  afterId?: number;
}

export interface HistoryQuery {
  linkId?: number;
  recordId?: string;
  cycleId?: number;
  limit?: number;
  beforeId?: number;
}

export interface ConflictQuery {
  status?: ConflictStatus;
  linkId?: number;
  limit?: number;
}

export interface QuarantineQuery {
  status?: QuarantineStatus;
  limit?: number;
}

/*
 * Each list picks the statement whose first filter is the most selective one given, which is the
 * key of the index that answers it; the other filters given are checked on the rows that index
 * yields. Pure, so the plan tests explain exactly what the store runs.
 */

export function linksStatement(q: Queries, query: LinkQuery, connection: string): Statement {
  const page = [query.afterId ?? null, query.limit ?? null, connection];
  if (query.flow !== undefined)
    return { sql: q.listLinksByFlow, params: [query.flow, query.status ?? null, ...page] };
  if (query.status !== undefined) return { sql: q.listLinksByStatus, params: [query.status, ...page] };
  return { sql: q.listLinks, params: page };
}

export function historyStatement(q: Queries, query: HistoryQuery, connection: string): Statement {
  const page = [query.beforeId ?? null, query.limit ?? null, connection];
  const cycleId = query.cycleId ?? null;
  if (query.linkId !== undefined)
    return {
      sql: q.listHistoryOfLink,
      params: [query.linkId, query.recordId ?? null, cycleId, ...page],
    };
  if (query.recordId !== undefined)
    return { sql: q.listHistoryOfRecord, params: [query.recordId, cycleId, ...page] };
  if (query.cycleId !== undefined) return { sql: q.listHistoryOfCycle, params: [query.cycleId, ...page] };
  return { sql: q.listHistory, params: page };
}

export function conflictsStatement(q: Queries, query: ConflictQuery, connection: string): Statement {
  const limit = query.limit ?? null;
  if (query.linkId !== undefined)
    return {
      sql: q.listConflictsOfLink,
      params: [query.linkId, query.status ?? null, limit, connection],
    };
  if (query.status !== undefined)
    return { sql: q.listConflictsByStatus, params: [query.status, limit, connection] };
  return { sql: q.listConflicts, params: [limit, connection] };
}

export function quarantineStatement(q: Queries, query: QuarantineQuery, connection: string): Statement {
  const limit = query.limit ?? null;
  if (query.status !== undefined)
    return { sql: q.listQuarantineByStatus, params: [query.status, limit, connection] };
  return { sql: q.listQuarantine, params: [limit, connection] };
}

export function retryStatement(q: Queries, id: number | 'all', connection: string): Statement {
  return id === 'all'
    ? { sql: q.requestRetryAll, params: [connection] }
    : { sql: q.requestRetry, params: [id, connection] };
}
