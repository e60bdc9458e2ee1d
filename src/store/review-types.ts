import type { ReviewRow } from '../core/effects.ts';

/** Review items: the doubtful cases a person decides (issue 14); the table is ./review-items.ts. */

export type ReviewStatus = 'open' | 'decided' | 'done';
export type ReviewAction = 'link' | 'keep-apart' | 'create' | 'approve' | 'reject';

export interface ReviewDecision {
  action: ReviewAction;
  /** For `link`: the pair a person chose among the records. */
  ytId?: string;
  crmId?: string;
}

export interface ReviewItem extends ReviewRow {
  id: number;
  status: ReviewStatus;
  decision: ReviewDecision | null;
  decidedBy: string | null;
  firstSeen: string;
  lastSeen: string;
  decidedAt: string | null;
}

export type NewReviewItem = ReviewRow;
