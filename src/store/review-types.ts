import type { ReviewCode, ReviewRecord, RowChange } from '../core/plan-types.ts';
import type { FlowName } from '../core/types.ts';

/** Review items: the doubtful cases a person decides (issue 14); the table is ./review-items.ts. */

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
