import type { ReviewRecord } from '../core/plan-types.ts';
import type { FlowName, PropValue, SystemName } from '../core/types.ts';
import { StoreError } from '../store/errors.ts';
import type { ReviewAction, ReviewItem, StateStore } from '../store/types.ts';
import { labelOf } from '../core/systems.ts';

/**
 * The review queue as people see it (CLI and dashboard alike): every doubtful case of a
 * connection with its records and the actions allowed on it. Three sources, one list: review
 * items (ambiguous matches, same-side duplicates, protected accounts, deletes awaiting approval), open conflicts, and
 * quarantined records. Ids carry their source: `r12`, `c5`, `q3`. Deciding only records the
 * choice; the next cycle plans it and the executor carries it out like any other write.
 */

export type QueueAction = ReviewAction | 'keep-winner' | 'apply-loser' | 'retry';

export interface QueueEntry {
  id: string;
  kind: 'match' | 'duplicate' | 'protected-account' | 'delete' | 'conflict' | 'quarantine';
  code: string;
  flow: FlowName;
  message: string;
  records: ReviewRecord[];
  /** Records already linked that share the name, for context. */
  candidates?: ReviewRecord[];
  /**
   * Per property: the values on each side (a conflict's winner and loser, a protected account's
   * change). An undo's conflict has both of its values on one side: today's under the side's
   * name, and in `before` the value before the undone cycle (what `apply-loser` puts back).
   */
  values?: Array<{
    property: string;
    youtrack?: PropValue;
    customcrm?: PropValue;
    winner?: SystemName;
    before?: PropValue;
  }>;
  actions: QueueAction[];
  since: string;
}

const KIND: Record<ReviewItem['code'], QueueEntry['kind']> = {
  AMBIGUOUS_MATCH: 'match',
  DUPLICATE_NAME: 'duplicate',
  DUPLICATE_EMAIL: 'duplicate',
  PROTECTED_ACCOUNT: 'protected-account',
  DELETE_PENDING: 'delete',
};

function fromItem(i: ReviewItem): QueueEntry {
  const approval = i.code === 'PROTECTED_ACCOUNT' || i.code === 'DELETE_PENDING';
  return {
    id: `r${i.id}`,
    kind: KIND[i.code],
    code: i.code,
    flow: i.flow,
    message: i.message,
    records: i.records,
    ...(i.candidates.length > 0 ? { candidates: i.candidates } : {}),
    ...(i.changes.length > 0
      ? { values: i.changes.map((c) => ({ property: c.row, youtrack: c.from, customcrm: c.to })) }
      : {}),
    actions: approval
      ? ['approve', 'reject']
      : // Users sharing an e-mail are created per the link mode anyway: a person can only dismiss it.
        i.code === 'DUPLICATE_EMAIL'
        ? ['keep-apart']
        : ['link', 'create', 'keep-apart'],
    since: i.firstSeen,
  };
}

export async function listQueue(store: StateStore): Promise<QueueEntry[]> {
  const out = (await store.listReviewItems({ status: 'open' })).map(fromItem);
  for (const c of await store.listConflicts({ status: 'open' })) {
    const link = await store.getLink(c.linkId);
    out.push({
      id: `c${c.id}`,
      kind: 'conflict',
      code: 'CONFLICT',
      flow: c.flow,
      message:
        c.winnerSide === c.loserSide
          ? `${link?.label ?? `link ${c.linkId}`}: ${c.property} in ${labelOf(c.winnerSide)} changed since the undone cycle to ${JSON.stringify(c.winnerValue)}; keep it (keep-winner) or put back ${JSON.stringify(c.loserValue)} (apply-loser)`
          : `${link?.label ?? `link ${c.linkId}`}: ${c.property} changed on both sides; ${labelOf(c.winnerSide)}'s ${JSON.stringify(c.winnerValue)} won over ${labelOf(c.loserSide)}'s ${JSON.stringify(c.loserValue)}`,
      records: link
        ? [
            { system: 'youtrack', type: link.ytType, id: link.ytId, label: link.label },
            { system: 'customcrm', type: link.crmType, id: link.crmId, label: link.label },
          ]
        : [],
      values: [
        c.winnerSide === c.loserSide
          ? {
              property: c.property,
              [c.winnerSide]: c.winnerValue,
              winner: c.winnerSide,
              before: c.loserValue,
            }
          : {
              property: c.property,
              [c.winnerSide]: c.winnerValue,
              [c.loserSide]: c.loserValue,
              winner: c.winnerSide,
            },
      ],
      actions: ['keep-winner', 'apply-loser'],
      since: c.at,
    });
  }
  for (const q of await store.listQuarantine({ status: 'quarantined' }))
    out.push({
      id: `q${q.id}`,
      kind: 'quarantine',
      code: q.code,
      flow: q.flow,
      message: `${q.reason}${q.property ? ` (property ${q.property})` : ''}; ${q.attempts} attempt(s)${q.retryRequested ? ', retry requested' : ''}`,
      records: [{ system: q.system, type: q.recordType, id: q.recordId, label: q.recordId }],
      actions: q.retryRequested ? [] : ['retry'],
      since: q.firstSeen,
    });
  return out;
}

export class ReviewRefusal extends Error {
  override readonly name = 'ReviewRefusal';
}

/** Records a person's decision; returns what the next cycle will do. */
export async function decide(
  store: StateStore,
  id: string,
  action: string,
  opts: { by: string; youtrack?: string; customcrm?: string },
): Promise<string> {
  const m = /^([rcq])(\d+)$/.exec(id.trim());
  if (!m)
    throw new ReviewRefusal(`"${id}" is not a review id: use one that tandem review lists (r12, c5, q3)`);
  const n = Number(m[2]);
  const entry = (await listQueue(store)).find((e) => e.id === `${m[1]}${n}`);
  if (!entry)
    throw new ReviewRefusal(
      `review item ${id} is not open (decided already, or over); list them again with tandem review`,
    );
  if (!(entry.actions as string[]).includes(action))
    throw new ReviewRefusal(
      `${id} (${entry.kind}) takes ${entry.actions.join(', ') || 'no action now'}, not "${action}"`,
    );
  try {
    if (m[1] === 'c') {
      await store.resolveConflict(n, action as 'keep-winner' | 'apply-loser', opts.by);
      return action === 'apply-loser'
        ? 'the next cycle writes the losing value'
        : 'the winning value stays; the conflict is closed by the next cycle';
    }
    if (m[1] === 'q') {
      await store.requestRetry(n);
      return 'the next cycle tries the record again';
    }
    const decision =
      action === 'link'
        ? { action: 'link' as const, ...pairOf(entry, opts) }
        : { action: action as ReviewAction };
    await store.decideReviewItem(n, decision, opts.by);
  } catch (err) {
    if (err instanceof StoreError) throw new ReviewRefusal(err.message);
    throw err;
  }
  return `the next cycle carries out "${action}"`;
}

/** The pair to link: named by the person, or the only YouTrack and the only Customcrm record. */
function pairOf(
  entry: QueueEntry,
  opts: { youtrack?: string; customcrm?: string },
): { ytId: string; crmId: string } {
  const yt = entry.records.filter((r) => r.system === 'youtrack');
  const crm = entry.records.filter((r) => r.system === 'customcrm');
  const ytId = opts.youtrack ?? (yt.length === 1 ? yt[0]!.id : undefined);
  const crmId = opts.customcrm ?? (crm.length === 1 ? crm[0]!.id : undefined);
  const list = (rs: ReviewRecord[]) => rs.map((r) => `${r.id} (${r.label})`).join(', ') || 'none';
  if (!ytId || !yt.some((r) => r.id === ytId))
    throw new ReviewRefusal(
      `${entry.id}: name the YouTrack record to link with --youtrack ID, one of ${list(yt)}`,
    );
  if (!crmId || !crm.some((r) => r.id === crmId))
    throw new ReviewRefusal(
      `${entry.id}: name the Customcrm record to link with --customcrm ID, one of ${list(crm)}`,
    );
  return { ytId, crmId };
}
