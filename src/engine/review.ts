import type { PlannedDecision, ProtectedUsers } from '../core/plan-types.ts';
import type { FlowName, RemoteRecord } from '../core/types.ts';
import type { ReviewItem, StateStore } from '../store/types.ts';
import { knowsTokenUser } from '../connectors/types.ts';
import { collect } from './read.ts';
import type { ConnectionRuntime } from './runtime.ts';

/**
 * What the planner needs from the review queue: the decisions people made (carried out by the
 * next cycle's plan and executor like any other action, never written inline here) and the
 * protected accounts whose CRM edits wait for a decision.
 */
export class ReviewState {
  private readonly byFlow = new Map<FlowName, PlannedDecision[]>();

  /** Records of open company items, per flow (held by cycles that read only changes). */
  private readonly waiting = new Map<FlowName, Set<string>>();

  constructor(
    items: readonly ReviewItem[],
    private readonly protectedUsers?: ProtectedUsers,
    /** The cycle reads everything: doubtful records are planned afresh instead of held. */
    private readonly complete = true,
  ) {
    for (const item of items) {
      if (item.status === 'open' && (item.code === 'AMBIGUOUS_MATCH' || item.code === 'DUPLICATE_NAME'))
        for (const flow of ['organizations', 'groups'] as const)
          for (const r of item.records) {
            const set = this.waiting.get(flow) ?? new Set<string>();
            set.add(`${r.system}:${r.id}`);
            this.waiting.set(flow, set);
          }
      if (item.status !== 'decided' || !item.decision) continue;
      const d: PlannedDecision = {
        itemId: item.id,
        key: item.key,
        action: item.decision.action,
        ...(item.decision.ytId !== undefined ? { ytId: item.decision.ytId } : {}),
        ...(item.decision.crmId !== undefined ? { crmId: item.decision.crmId } : {}),
      };
      this.byFlow.set(item.flow, [...(this.byFlow.get(item.flow) ?? []), d]);
    }
  }

  static async load(
    rt: ConnectionRuntime,
    store: StateStore,
    groups: readonly RemoteRecord[] | undefined,
    complete: boolean,
  ): Promise<ReviewState> {
    const items = [
      ...(await store.listReviewItems({ status: 'decided' })),
      ...(complete ? [] : await store.listReviewItems({ status: 'open' })),
    ];
    return new ReviewState(items, await protectedUsers(rt, groups), complete);
  }

  forFlow(flow: FlowName): {
    decisions?: PlannedDecision[];
    protectedUsers?: ProtectedUsers;
    waiting?: ReadonlySet<string>;
  } {
    const d = this.byFlow.get(flow);
    const waiting = this.complete ? undefined : this.waiting.get(flow);
    return {
      ...(d ? { decisions: d } : {}),
      ...(waiting ? { waiting } : {}),
      ...(flow === 'users' && this.protectedUsers ? { protectedUsers: this.protectedUsers } : {}),
    };
  }
}

/**
 * The token's own user (locking it out would stop the sync itself), YouTrack's administrators
 * (holders of Hub's System Admin role), the configured logins, and the direct members of the configured groups (by name; `groups` when the cycle read them all).
 */
async function protectedUsers(
  rt: ConnectionRuntime,
  groups: readonly RemoteRecord[] | undefined,
): Promise<ProtectedUsers> {
  const { logins, groups: names } = rt.config.sync.protectedAccounts;
  const me = knowsTokenUser(rt.youtrack) ? await rt.youtrack.tokenUserLogin() : undefined;
  // Administrators are read again by a cycle that reads everything, and kept between.
  const admins =
    (knowsTokenUser(rt.youtrack) &&
      (await rt.youtrack.administratorLogins?.({ refresh: groups !== undefined }))) ||
    [];
  const wanted = new Set(names.map((n) => n.trim().toLowerCase()));
  const all = wanted.size === 0 ? [] : (groups ?? (await collect(rt.youtrack.readAll('Group'))));
  const groupIds = new Set(
    all
      .filter((g) =>
        wanted.has(
          String(g.props['name'] ?? '')
            .trim()
            .toLowerCase(),
        ),
      )
      .map((g) => g.id),
  );
  return { logins: new Set([...logins, ...admins, ...(me ? [me] : [])]), groupIds };
}
