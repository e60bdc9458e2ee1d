import type { PlanAction } from './planner.ts';

/** One plan action in a line of plain words, as `tandem plan`, `tandem undo` and the dashboard show it. */
export function describeAction(a: PlanAction): string {
  switch (a.kind) {
    case 'create':
      return `create in ${a.target} ${a.type} "${a.label}" from ${a.sourceId}`;
    case 'link':
      return `link ${a.ytId} ⇄ ${a.crmId} "${a.label}"`;
    case 'update':
      return `${a.by ? 'apply a decision: ' : ''}update ${a.target} ${a.type} ${a.id}: ${a.changes.map((c) => `${c.row} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join('; ')}`;
    case 'conflict':
      return `conflict on ${a.row}: ${a.winner} ${JSON.stringify(a.winnerValue)} wins over ${a.loser} ${JSON.stringify(a.loserValue)}`;
    case 'reject':
      return `reject ${a.system} ${a.type} ${a.id}: ${a.code} ${a.property}: ${a.reason}`;
    case 'report':
      return `${a.code}: ${a.message}`;
    case 'review':
      return `review ${a.code}: ${a.message}`;
    case 'resolved':
      return `close the decision on conflict ${a.conflictId}`;
    case 'decided':
      return `carry out review decision ${a.action} on item ${a.itemId}`;
    case 'markDeleted':
      return `mark link ${a.linkId}: deleted in ${a.side}`;
    case 'delete':
      return `delete ${a.target} ${a.type} ${a.id}`;
    case 'deactivate':
      return `deactivate ${a.target} ${a.type} ${a.id}`;
    case 'setBase':
      return `remember values of ${a.ytId} ⇄ ${a.crmId}`;
  }
}
