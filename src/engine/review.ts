import type { PlannedDecision } from '../core/plan-types.ts';
import type { FlowName } from '../core/types.ts';
import type { ReviewItem, StateStore } from '../store/types.ts';

/**
 * The decisions people made on review items, handed to the planner: a decision is carried out
 * by the next cycle's plan and executor like any other action (never written inline here).
 */
export class Decisions {
  private readonly byFlow = new Map<FlowName, PlannedDecision[]>();

  constructor(items: readonly ReviewItem[]) {
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

  static async load(store: StateStore): Promise<Decisions> {
    return new Decisions(await store.listReviewItems({ status: 'decided' }));
  }

  forFlow(flow: FlowName): { decisions?: PlannedDecision[] } {
    const d = this.byFlow.get(flow);
    return d ? { decisions: d } : {};
  }
}
