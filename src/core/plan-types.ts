import type { FlowMapping } from './mapping.ts';
import type { FlowName, Props, PropValue, RecordType, RemoteRecord, SystemName } from './types.ts';
import type { RefResolver } from './values.ts';

/** The plain data a plan is made of. The engine executes it; nothing here does I/O. */

export type LinkStatus = 'active' | 'youtrack-deleted' | 'customcrm-deleted' | 'both-deleted';
export type LinkOrigin = 'merged' | 'created-in-customcrm' | 'created-in-youtrack';

export interface LinkState {
  id: number;
  ytId: string;
  crmId: string;
  status: LinkStatus;
  /** Canonical value per mapping row name at the last sync; a missing key = never synced. */
  base: Props;
  origin: LinkOrigin;
}

export type LinkMode = 'create' | 'merge-then-create' | 'merge-only' | 'none';

export interface FlowPolicy {
  toCustomcrm: LinkMode;
  toYouTrack: LinkMode;
  /** Organizations/Groups ⇄ Customers by normalized name. Users always match by e-mail. */
  mergeByName: boolean;
  deletes: 'keep' | 'deactivate' | 'propagate';
  /** With `propagate`: a delete waits in review for a person's approval (absent = true); false deletes at once. */
  approveDeletes?: boolean;
  priority: SystemName;
  includeGroups: { allUsers: boolean; registeredUsers: boolean; projectTeams: boolean };
}

export interface FlowPlanInput {
  flow: FlowMapping;
  policy: FlowPolicy;
  youtrack: RemoteRecord[];
  customcrm: RemoteRecord[];
  /** true = a full read: a linked record absent from the list was deleted. */
  youtrackComplete: boolean;
  customcrmComplete: boolean;
  links: LinkState[];
  refs: RefResolver;
  /** id → ISO time of the last change seen on YouTrack; Customcrm uses record.updatedAt. */
  youtrackChangedAt?: Record<string, string>;
  /** 'system:id' keys to skip this cycle. */
  quarantined?: ReadonlySet<string>;
  /**
   * YouTrack accounts a CRM edit must never ban, rename or re-address (the token's own user, a
   * configured list of logins, members of configured groups): such a change becomes a review item.
   */
  protectedUsers?: ProtectedUsers;
  /**
   * 'system:id' of records waiting in an open review item, held in a cycle that reads only changes
   * (it cannot see the namesakes that made them doubtful); a complete read plans them afresh.
   */
  waiting?: ReadonlySet<string>;
  /** Decisions a person made on review items of this flow, carried out by this plan. */
  decisions?: readonly PlannedDecision[];
  /** Name matches decided across both Customer flows (`plan-companies.ts`); replaces the flow's own matching. */
  match?: CompanyMatch;
}

/** What the joint company matching decided for one Customer flow. */
export interface CompanyMatch {
  pairs: Array<{ ytId: string; crmId: string }>;
  /** 'system:id' of records waiting in review: neither matched nor created. */
  held: ReadonlySet<string>;
  /** Customer ids matched to the other Customer flow this cycle: not this flow's to create. */
  claimed: ReadonlySet<string>;
}

export interface ProtectedUsers {
  logins: ReadonlySet<string>;
  /** YouTrack group ids: their direct members are protected. */
  groupIds: ReadonlySet<string>;
}

/** A person's decision on a review item, as the planner sees it. */
export interface PlannedDecision {
  itemId: number;
  key: string;
  action: 'link' | 'keep-apart' | 'create' | 'approve' | 'reject';
  ytId?: string;
  crmId?: string;
}

/** A record a review item is about, as a person needs to see it. */
export interface ReviewRecord {
  system: SystemName;
  type: RecordType;
  id: string;
  label: string;
}

export interface RowChange {
  row: string;
  from: PropValue;
  to: PropValue;
}

export type PlanAction =
  | {
      kind: 'create';
      target: SystemName;
      type: RecordType;
      props: Props;
      sourceId: string;
      base: Props;
      label: string;
    }
  | { kind: 'link'; ytId: string; crmId: string; base: Props; label: string }
  | {
      kind: 'update';
      target: SystemName;
      type: RecordType;
      id: string;
      linkId: number | null;
      ytId: string;
      crmId: string;
      patch: Props;
      ifMatch?: string;
      changes: RowChange[];
      /** 'operator': a person's decision (a conflict resolution), recorded as such in the history. */
      by?: 'operator';
      /** Why, in the history (e.g. the undo of a cycle). */
      note?: string;
    }
  | {
      kind: 'setBase';
      linkId: number | null;
      ytId: string;
      crmId: string;
      base: Props;
      /** The pair's name after this cycle's writes: the link's label and search keys follow renames. */
      label?: string;
    }
  | {
      kind: 'conflict';
      linkId: number | null;
      ytId: string;
      crmId: string;
      row: string;
      winner: SystemName;
      winnerValue: PropValue;
      loser: SystemName;
      loserValue: PropValue;
    }
  /** `recordId`: the record gone on `side`, for the history. */
  | { kind: 'markDeleted'; linkId: number; side: SystemName; recordId: string }
  | { kind: 'delete'; target: SystemName; type: RecordType; id: string; linkId: number }
  | {
      /** A Contact whose counterpart was deleted is kept but switched off: `patch` is the write, `changes` its history. */
      kind: 'deactivate';
      target: 'customcrm';
      type: 'Contact';
      id: string;
      linkId: number;
      patch: Props;
      changes: RowChange[];
    }
  | {
      kind: 'reject';
      system: SystemName;
      type: RecordType;
      id: string;
      code: string;
      property: string;
      reason: string;
    }
  | { kind: 'report'; code: string; system: SystemName; ids: string[]; message: string }
  | {
      /** A doubtful case nothing is written for: it waits for a person (`tandem review`). */
      kind: 'review';
      code: ReviewCode;
      flow: FlowName;
      /** Stable across cycles, so the same case is one open item however often it is planned. */
      key: string;
      /** The records the decision is about. */
      records: ReviewRecord[];
      /** Records already linked that share the criterion (context for the decision). */
      candidates: ReviewRecord[];
      message: string;
      /** For a protected account: the change the CRM asked for, per row. */
      changes?: RowChange[];
    }
  /** A review decision this plan carries out: the item is closed with the plan's writes. */
  | { kind: 'decided'; itemId: number; action: PlannedDecision['action'] }
  /** A person's choice on a conflict was carried out (the unit's writes before it succeeded). */
  | { kind: 'resolved'; conflictId: number; ytId: string; crmId: string };

export type ReviewCode =
  'AMBIGUOUS_MATCH' | 'DUPLICATE_NAME' | 'DUPLICATE_EMAIL' | 'PROTECTED_ACCOUNT' | 'DELETE_PENDING';

export interface SystemCounts {
  creates: number;
  updates: number;
  deletes: number;
  conflicts: number;
  rejects: number;
  /** Its records waiting in review. */
  reviews: number;
}

export interface FlowPlan {
  flow: FlowName;
  actions: PlanAction[];
  /** Per system: creates/updates/deletes are writes into it, conflicts are values it lost, rejects are its records. */
  counts: Record<SystemName, SystemCounts>;
}

/**
 * Defaults of the dataflow: YouTrack → Customcrm creates everywhere (after linking by e-mail for
 * users); a new Customer creates a YouTrack group; a new Contact creates no YouTrack user (seats
 * cost money); deletes are kept; YouTrack wins ties.
 */
export function defaultPolicy(flow: FlowName): FlowPolicy {
  return {
    toCustomcrm: 'merge-then-create',
    toYouTrack: flow === 'groups' ? 'merge-then-create' : 'none',
    mergeByName: false,
    deletes: 'keep',
    priority: 'youtrack',
    includeGroups: { allUsers: false, registeredUsers: false, projectTeams: false },
  };
}
