import type { PlannedDecision, ProtectedUsers } from '../core/plan-types.ts';
import type { FlowName, RemoteRecord } from '../core/types.ts';
import type { ReviewItem, StateStore } from '../store/types.ts';
import { collect } from './read.ts';
import type { ConnectionRuntime } from './runtime.ts';

/**
 * What the planner needs from the review queue: the decisions people made (carried out by the
 * next cycle's plan and executor like any other action, never written inline here) and the
 * protected accounts whose CRM edits wait for a decision.
 */
export class ReviewState {
  private readonly byFlow = new Map<FlowName, PlannedDecision[]>();

  constructor(
    items: readonly ReviewItem[],
    private readonly protectedUsers?: ProtectedUsers,
  ) {
    for (const item of items) {
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
  ): Promise<ReviewState> {
    const items = await store.listReviewItems({ status: 'decided' });
    return new ReviewState(items, await protectedUsers(rt, groups));
  }

  forFlow(flow: FlowName): { decisions?: PlannedDecision[]; protectedUsers?: ProtectedUsers } {
    const d = this.byFlow.get(flow);
    return {
      ...(d ? { decisions: d } : {}),
      ...(flow === 'users' && this.protectedUsers ? { protectedUsers: this.protectedUsers } : {}),
    };
  }
}

/**
 * The token's own user (locking it out would stop the sync itself), the configured logins, and the
 * direct members of the configured groups (by name; `groups` when the cycle read them all).
 */
async function protectedUsers(
  rt: ConnectionRuntime,
  groups: readonly RemoteRecord[] | undefined,
): Promise<ProtectedUsers> {
  const { logins, groups: names } = rt.config.sync.protectedAccounts;
  const me = await rt.youtrack.tokenUserLogin();
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
  return { logins: new Set([...logins, ...(me ? [me] : [])]), groupIds };
}
