import type {
  LinkOrigin,
  LinkStatus,
  PlanAction,
  ReviewCode,
  ReviewRecord,
  RowChange,
} from './plan-types.ts';
import type { FlowName, Props, PropValue, RecordType, SystemName } from './types.ts';
import { other, recordTypeOf } from './systems.ts';

/**
 * What a plan action does to the state (links, bases, history, conflicts, quarantine, journal),
 * written once: `effectsOf(action, answer)` is pure and is used by the engine's executor (which
 * commits a chunk's change sets in one transaction) and by the tests' World alike, so the
 * convergence properties run through the same meaning of every action as the product.
 * The remote writes themselves are the executor's (or the World's); their answers come in here.
 */

export interface EffectContext {
  flow: FlowName;
  cycleId: number | null;
  /** ISO time of the change, from the injected clock. */
  at: string;
}

/** A link by id, or (for a pair linked in the same commit) by its two record ids. */
export interface LinkRef {
  linkId: number | null;
  ytId: string;
  crmId: string;
}

export interface NewLinkRow {
  flow: FlowName;
  ytType: RecordType;
  ytId: string;
  crmType: RecordType;
  crmId: string;
  origin: LinkOrigin;
  status: 'active';
  base: Props;
  ytHash: string | null;
  crmHash: string | null;
  crmVersion: string | null;
  label: string;
}

/** What the remote writes of a pair answered: stored with its base, so the next read can tell "unchanged". */
export interface Versions {
  crmVersion?: string;
  ytHash?: string;
  crmHash?: string;
}

export interface LinkPatchRow extends Versions {
  base?: Props;
  label?: string;
}

export interface HistoryRow {
  at: string;
  cycleId: number | null;
  link: LinkRef | null;
  flow: FlowName;
  system: SystemName;
  recordId: string;
  property: string | null;
  oldValue: PropValue;
  newValue: PropValue;
  source: SystemName | 'operator';
  action: 'created' | 'updated' | 'linked' | 'conflict' | 'deleted' | 'resolved';
  note: string | null;
}

export interface ConflictRow {
  link: LinkRef;
  flow: FlowName;
  property: string;
  winnerSide: SystemName;
  winnerValue: PropValue;
  loserSide: SystemName;
  loserValue: PropValue;
  at: string;
}

export interface QuarantineRow {
  system: SystemName;
  recordType: RecordType;
  recordId: string;
  flow: FlowName;
  code: string;
  property: string | null;
  reason: string;
}

export interface JournalClose {
  id: number;
  status: 'done' | 'failed';
  targetId?: string;
  error?: string;
}

export interface ReviewRow {
  key: string;
  code: ReviewCode;
  flow: FlowName;
  records: ReviewRecord[];
  candidates: ReviewRecord[];
  changes: RowChange[];
  message: string;
}

/** Everything one action changes in the state, as plain data. Applied in the order of its fields. */
export interface ChangeSet {
  /** New links; `journalId` is the create's journal entry, closed by the link. */
  links: Array<{ row: NewLinkRow; journalId?: number }>;
  linkPatches: Array<{ link: LinkRef; patch: LinkPatchRow }>;
  /** A side of a link seen deleted: the status follows `statusAfterDelete`. */
  deleted: Array<{ linkId: number; side: SystemName }>;
  history: HistoryRow[];
  conflicts: ConflictRow[];
  quarantine: QuarantineRow[];
  journal: JournalClose[];
  reviews: ReviewRow[];
  closedReviews: number[];
  resolutionsApplied: number[];
}

/** The answer of the remote side an action needs to know its effects. */
export type Answer =
  | { kind: 'created'; record: { id: string; hash: string; version?: string }; journalId: number }
  | { kind: 'versions'; versions: Versions }
  | undefined;

export function emptyChanges(): ChangeSet {
  return {
    links: [],
    linkPatches: [],
    deleted: [],
    history: [],
    conflicts: [],
    quarantine: [],
    journal: [],
    reviews: [],
    closedReviews: [],
    resolutionsApplied: [],
  };
}

export function statusAfterDelete(current: LinkStatus, side: SystemName): LinkStatus {
  const otherDeleted: LinkStatus = side === 'youtrack' ? 'customcrm-deleted' : 'youtrack-deleted';
  if (current === otherDeleted || current === 'both-deleted') return 'both-deleted';
  return side === 'youtrack' ? 'youtrack-deleted' : 'customcrm-deleted';
}

interface HistoryOptions {
  link: LinkRef | null;
  system: SystemName;
  recordId: string;
  action: HistoryRow['action'];
  source: HistoryRow['source'];
  property?: string | null;
  oldValue?: PropValue;
  newValue?: PropValue;
  note?: string | null;
}

function historyRow(ctx: EffectContext, o: HistoryOptions): HistoryRow {
  return {
    at: ctx.at,
    cycleId: ctx.cycleId,
    link: o.link,
    flow: ctx.flow,
    system: o.system,
    recordId: o.recordId,
    property: o.property ?? null,
    oldValue: o.oldValue ?? null,
    newValue: o.newValue ?? null,
    source: o.source,
    action: o.action,
    note: o.note ?? null,
  };
}

function newLink(
  ctx: EffectContext,
  pair: { ytId: string; crmId: string },
  origin: LinkOrigin,
  base: Props,
  label: string,
): NewLinkRow {
  return {
    flow: ctx.flow,
    ytType: recordTypeOf(ctx.flow, 'youtrack'),
    ytId: pair.ytId,
    crmType: recordTypeOf(ctx.flow, 'customcrm'),
    crmId: pair.crmId,
    origin,
    status: 'active',
    base,
    ytHash: null,
    crmHash: null,
    crmVersion: null,
    label,
  };
}

const ref = (linkId: number | null, ytId: string, crmId: string): LinkRef => ({ linkId, ytId, crmId });

type Create = Extract<PlanAction, { kind: 'create' }>;
type CreatedAnswer = Extract<Answer, { kind: 'created' }>;

/** The pair a create's answer makes. */
export function createdPair(a: Create, record: { id: string }): { ytId: string; crmId: string } {
  return a.target === 'customcrm'
    ? { ytId: a.sourceId, crmId: record.id }
    : { ytId: record.id, crmId: a.sourceId };
}

function createEffects(ctx: EffectContext, a: Create, answer: Answer): ChangeSet {
  const out = emptyChanges();
  if (answer?.kind !== 'created') throw new Error(`the create of "${a.label}" needs its answer`);
  const { record, journalId } = answer;
  const pair = createdPair(a, record);
  const origin = a.target === 'customcrm' ? 'created-in-customcrm' : 'created-in-youtrack';
  const row = newLink(ctx, pair, origin, a.base, a.label);
  if (a.target === 'customcrm') {
    row.crmHash = record.hash;
    row.crmVersion = record.version ?? null;
  } else row.ytHash = record.hash;
  out.links.push({ row, journalId });
  out.journal.push({ id: journalId, targetId: record.id, status: 'done' });
  out.history.push(
    historyRow(ctx, {
      link: ref(null, pair.ytId, pair.crmId),
      system: a.target,
      recordId: record.id,
      action: 'created',
      newValue: a.label,
      source: other(a.target),
    }),
  );
  return out;
}

/**
 * A create answered with a record that is already linked (e.g. a group name taken by another
 * Customer's group, found again after an ambiguous answer) is not linked: linking it twice would
 * merge two records into one, so its source record is quarantined instead.
 */
export function takenEffects(
  ctx: EffectContext,
  a: Create,
  answer: CreatedAnswer,
  by: { ytId: string; crmId: string },
): ChangeSet {
  const out = emptyChanges();
  const source = other(a.target);
  out.journal.push({
    id: answer.journalId,
    targetId: answer.record.id,
    status: 'failed',
    error: 'answer already linked',
  });
  out.quarantine.push({
    system: source,
    recordType: recordTypeOf(ctx.flow, source),
    recordId: a.sourceId,
    flow: ctx.flow,
    code: 'DUPLICATE',
    property: null,
    reason:
      `${a.target} answered the create of "${a.label}" with ${a.type} ${answer.record.id}, which is already linked to ` +
      `${a.target === 'customcrm' ? by.ytId : by.crmId}; make the two records distinct (e.g. rename one), then retry`,
  });
  return out;
}

/** A record refused for a reason a person must fix: kept out of the next cycles until retried. */
export function rejectEffects(ctx: EffectContext, r: Omit<QuarantineRow, 'flow'>): ChangeSet {
  const out = emptyChanges();
  out.quarantine.push({ ...r, flow: ctx.flow });
  return out;
}

/** A journaled create that failed clearly (or was never sent) is over: it is not looked up by recovery. */
export function journalFailed(id: number, error: string): ChangeSet {
  const out = emptyChanges();
  out.journal.push({ id, status: 'failed', error });
  return out;
}

/** The effects of one action, given what the remote side answered (see `Answer`). */
export function effectsOf(ctx: EffectContext, a: PlanAction, answer?: Answer): ChangeSet {
  const out = emptyChanges();
  switch (a.kind) {
    case 'create':
      return createEffects(ctx, a, answer);
    case 'link': {
      out.links.push({ row: newLink(ctx, a, 'merged', a.base, a.label) });
      const link = ref(null, a.ytId, a.crmId);
      out.history.push(
        historyRow(ctx, {
          link,
          system: 'customcrm',
          recordId: a.crmId,
          action: 'linked',
          newValue: a.label,
          source: 'youtrack',
        }),
      );
      return out;
    }
    case 'update': {
      const link = ref(a.linkId, a.ytId, a.crmId);
      const note = a.note ?? (a.by ? 'a person chose the losing value of a conflict' : null);
      for (const c of a.changes)
        out.history.push(
          historyRow(ctx, {
            link,
            system: a.target,
            recordId: a.id,
            action: a.by ? 'resolved' : 'updated',
            property: c.row,
            oldValue: c.from,
            newValue: c.to,
            source: a.by ?? other(a.target),
            note,
          }),
        );
      return out;
    }
    case 'setBase': {
      const versions = answer?.kind === 'versions' ? answer.versions : {};
      out.linkPatches.push({
        link: ref(a.linkId, a.ytId, a.crmId),
        patch: { base: a.base, ...(a.label !== undefined ? { label: a.label } : {}), ...versions },
      });
      return out;
    }
    case 'conflict': {
      const link = ref(a.linkId, a.ytId, a.crmId);
      out.conflicts.push({
        link,
        flow: ctx.flow,
        property: a.row,
        winnerSide: a.winner,
        winnerValue: a.winnerValue,
        loserSide: a.loser,
        loserValue: a.loserValue,
        at: ctx.at,
      });
      out.history.push(
        historyRow(ctx, {
          link,
          system: a.loser,
          recordId: a.loser === 'youtrack' ? a.ytId : a.crmId,
          action: 'conflict',
          property: a.row,
          oldValue: a.loserValue,
          newValue: a.winnerValue,
          source: a.winner,
        }),
      );
      return out;
    }
    case 'markDeleted':
      out.deleted.push({ linkId: a.linkId, side: a.side });
      out.history.push(
        historyRow(ctx, {
          link: ref(a.linkId, '', ''),
          system: a.side,
          recordId: a.recordId,
          action: 'deleted',
          source: a.side,
          note: 'deleted in ' + a.side,
        }),
      );
      return out;
    case 'delete':
      out.history.push(
        historyRow(ctx, {
          link: ref(a.linkId, '', ''),
          system: a.target,
          recordId: a.id,
          action: 'deleted',
          source: other(a.target),
          note: 'delete propagated',
        }),
      );
      return out;
    case 'deactivate':
      for (const c of a.changes)
        out.history.push(
          historyRow(ctx, {
            link: ref(a.linkId, '', ''),
            system: a.target,
            recordId: a.id,
            action: 'updated',
            property: c.row,
            oldValue: c.from,
            newValue: c.to,
            source: other(a.target),
            note: 'counterpart deleted: deactivated',
          }),
        );
      return out;
    case 'reject':
      return rejectEffects(ctx, {
        system: a.system,
        recordType: a.type,
        recordId: a.id,
        code: a.code,
        property: a.property,
        reason: a.reason,
      });
    case 'report':
      return out;
    case 'review':
      out.reviews.push({
        key: a.key,
        code: a.code,
        flow: a.flow,
        records: a.records,
        candidates: a.candidates,
        changes: a.changes ?? [],
        message: a.message,
      });
      return out;
    case 'decided':
      out.closedReviews.push(a.itemId);
      return out;
    case 'resolved':
      out.resolutionsApplied.push(a.conflictId);
      return out;
  }
}
