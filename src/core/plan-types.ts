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
    }
  | { kind: 'setBase'; linkId: number | null; ytId: string; crmId: string; base: Props }
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
  | { kind: 'markDeleted'; linkId: number; side: SystemName }
  | { kind: 'delete'; target: SystemName; type: RecordType; id: string; linkId: number }
  | { kind: 'deactivate'; target: 'customcrm'; type: 'Contact'; id: string; linkId: number }
  | {
      kind: 'reject';
      system: SystemName;
      type: RecordType;
      id: string;
      code: string;
      property: string;
      reason: string;
    }
  | { kind: 'report'; code: string; system: SystemName; ids: string[]; message: string };

export interface SystemCounts {
  creates: number;
  updates: number;
  deletes: number;
  conflicts: number;
  rejects: number;
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
