import type { ReviewCode, ReviewRecord, RowChange } from '../core/plan-types.ts';
import type { FlowName } from '../core/types.ts';
import type { SqlRow } from './driver.ts';
import { StoreError } from './errors.ts';
import type { SqlContext } from './sql-context.ts';

/** Review items: the doubtful cases a person decides (issue 14). */

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

/** The review items of the store. */
export class ReviewTable {
  constructor(private readonly db: SqlContext) {}

  async upsertReviewItem(item: NewReviewItem): Promise<void> {
    const records = reviewRecordsJson(item);
    await this.db.run(this.db.q.upsertReviewItem, [
      item.key,
      item.code,
      item.flow,
      records,
      item.message,
      this.db.now(),
      this.db.connection,
    ]);
  }

  async listReviewItems(query: { status?: ReviewStatus }): Promise<ReviewItem[]> {
    const rows = query.status
      ? await this.db.all(this.db.q.listReviewItemsByStatus, [this.db.connection, query.status])
      : await this.db.all(this.db.q.listReviewItems, [this.db.connection]);
    return rows.map(toReviewItem);
  }

  async getReviewItem(id: number): Promise<ReviewItem | null> {
    const [row] = await this.db.all(this.db.q.getReviewItem, [id, this.db.connection]);
    return row ? toReviewItem(row) : null;
  }

  async decideReviewItem(id: number, decision: ReviewDecision, by: string): Promise<void> {
    const changed = await this.db.run(this.db.q.decideReviewItem, [
      id,
      JSON.stringify(decision),
      by,
      this.db.now(),
      this.db.connection,
    ]);
    if (changed === 1) return;
    const item = await this.getReviewItem(id);
    if (!item)
      throw new StoreError('NOT_FOUND', `review item ${id} does not exist; list them with tandem review`);
    throw new StoreError(
      'REVIEW_NOT_OPEN',
      `review item ${id} was already decided (${item.decision?.action ?? item.status}) by ${item.decidedBy ?? 'a cycle'}; list them again with tandem review`,
    );
  }

  async closeReviewItem(id: number): Promise<void> {
    await this.db.run(this.db.q.closeReviewItem, [id, this.db.connection]);
  }
}
