import { randomUUID } from 'node:crypto';
import type { Answer, ChangeSet } from '../core/effects.ts';
import type { PlanAction } from '../core/planner.ts';
import type { RemoteRecord } from '../core/types.ts';
import type { JournalEntry } from '../store/types.ts';

export type CreateAction = Extract<PlanAction, { kind: 'create' }>;
export type UpdateAction = Extract<PlanAction, { kind: 'update' }>;

/** The actions of one pair (or one create, one reject...): run in order, stopped by the first failure. */
export interface Unit {
  actions: PlanAction[];
  /** Journal entry of the unit's create, written before the create is sent. */
  journal?: JournalEntry;
  /** Set just before the create goes out: a journaled create never sent is closed at the chunk's end. */
  sent?: boolean;
  /** The answer of a create sent in a batch (undefined: create it on its own). */
  batched?: Promise<RemoteRecord | undefined>;
  /** The unit's first update, sent in a batch: its answer (undefined: update it on its own). */
  batchedUpdate?: { action: PlanAction; answer: Promise<RemoteRecord | undefined> };
}

/** Actions that write nothing remote: an update after only these may go out before the unit runs. */
const LOCAL: ReadonlySet<PlanAction['kind']> = new Set(['link', 'conflict', 'setBase', 'report', 'review']);

/** The unit's update that can be sent ahead in a batch: its first remote write, if it is an update. */
export function leadingUpdate(unit: Unit): UpdateAction | undefined {
  const first = unit.actions.find((a) => !LOCAL.has(a.kind));
  return first?.kind === 'update' ? first : undefined;
}

/**
 * What one action changed, waiting for the chunk's commit. A create keeps its action and answer:
 * the commit checks that the answer is not linked already before it links it.
 */
export interface Pending {
  changes: ChangeSet;
  create?: { action: CreateAction; answer: Extract<Answer, { kind: 'created' }> };
}

function unitKey(a: PlanAction): string {
  if ('ytId' in a && 'crmId' in a) return `pair:${a.ytId}\u0000${a.crmId}`;
  if (a.kind === 'create') return `create:${a.sourceId}`;
  if ('linkId' in a) return `link:${a.linkId}`;
  return `single:${randomUUID()}`;
}

/** Consecutive actions about the same pair form one unit; the planner emits them together. */
export function groupUnits(actions: readonly PlanAction[]): Unit[] {
  const units: Unit[] = [];
  let lastKey = '';
  for (const a of actions) {
    const key = unitKey(a);
    if (key === lastKey && units.length > 0) units[units.length - 1]!.actions.push(a);
    else units.push({ actions: [a] });
    lastKey = key;
  }
  return units;
}
