import type { ReviewCode, ReviewRecord, RowChange } from '../core/plan-types.ts';
import type { FlowName } from '../core/types.ts';
import type { SqlRow } from './driver.ts';

/**
 * Review items: the doubtful cases a person decides (issue 14). The SQL is written once with
 * PostgreSQL placeholders; SQLite takes the same text with `?N` (both number their parameters).
 */

export type ReviewStatus = 'open' | 'decided' | 'done';
export type ReviewAction = 'link' | 'keep-apart' | 'create' | 'approve' | 'reject';

export interface ReviewDecision {
  action: ReviewAction;
  /** For `link`: the pair a person chose among the records. */
  ytId?: string;
  crmId?: string;
}

export interface ReviewItem {
  id: number;
  key: string;
  code: ReviewCode;
  flow: FlowName;
  records: ReviewRecord[];
  candidates: ReviewRecord[];
  changes: RowChange[];
  message: string;
  status: ReviewStatus;
  decision: ReviewDecision | null;
  decidedBy: string | null;
  firstSeen: string;
  lastSeen: string;
  decidedAt: string | null;
}

export type NewReviewItem = Pick<
  ReviewItem,
  'key' | 'code' | 'flow' | 'records' | 'candidates' | 'changes' | 'message'
>;

const ITEM = `id, key, code, flow, records, message, status, decision, decided_by, first_seen, last_seen, decided_at`;

const postgresText = {
  /** key, code, flow, records, message, now, connection: a case seen again is updated; a done one reopens. */
  upsert: `INSERT INTO review_items (key, code, flow, records, message, status, first_seen, last_seen, connection)
    VALUES ($1, $2, $3, $4, $5, 'open', $6, $6, $7)
    ON CONFLICT (connection, key) DO UPDATE SET
      code = excluded.code, flow = excluded.flow, records = excluded.records, message = excluded.message,
      last_seen = excluded.last_seen,
      decision = CASE WHEN review_items.status = 'done' THEN NULL ELSE review_items.decision END,
      decided_by = CASE WHEN review_items.status = 'done' THEN NULL ELSE review_items.decided_by END,
      status = CASE WHEN review_items.status = 'done' THEN 'open' ELSE review_items.status END`,
  get: `SELECT ${ITEM} FROM review_items WHERE id = $1 AND connection = $2`,
  list: `SELECT ${ITEM} FROM review_items WHERE connection = $1 ORDER BY id`,
  listByStatus: `SELECT ${ITEM} FROM review_items WHERE connection = $1 AND status = $2 ORDER BY id`,
  /** id, decision, by, now, connection: only while open */
  decide: `UPDATE review_items SET status = 'decided', decision = $2, decided_by = $3, decided_at = $4
    WHERE id = $1 AND connection = $5 AND status = 'open'`,
  /** id, connection */
  close: `UPDATE review_items SET status = 'done' WHERE id = $1 AND connection = $2`,
};

export type ReviewQueries = typeof postgresText;

export function reviewQueries(dialect: string): ReviewQueries {
  if (dialect === 'postgres') return postgresText;
  const out = {} as Record<keyof ReviewQueries, string>;
  for (const [k, v] of Object.entries(postgresText))
    out[k as keyof ReviewQueries] = v.replace(/\$(\d+)/g, '?$1');
  return out;
}

export function reviewRecordsJson(item: NewReviewItem): string {
  return JSON.stringify({ records: item.records, candidates: item.candidates, changes: item.changes });
}

const time = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const timeOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : time(v));

export function toReviewItem(r: SqlRow): ReviewItem {
  const parts = JSON.parse(String(r.records)) as Pick<ReviewItem, 'records' | 'candidates' | 'changes'>;
  return {
    id: Number(r.id),
    key: String(r.key),
    code: String(r.code) as ReviewCode,
    flow: String(r.flow) as FlowName,
    records: parts.records ?? [],
    candidates: parts.candidates ?? [],
    changes: parts.changes ?? [],
    message: String(r.message),
    status: String(r.status) as ReviewStatus,
    decision:
      r.decision === null || r.decision === undefined
        ? null
        : (JSON.parse(String(r.decision)) as ReviewDecision),
    decidedBy: r.decided_by === null || r.decided_by === undefined ? null : String(r.decided_by),
    firstSeen: time(r.first_seen),
    lastSeen: time(r.last_seen),
    decidedAt: timeOrNull(r.decided_at),
  };
}
