import type { MappingRow } from './mapping.ts';
import type { FlowPlanInput, PlanAction, PlannedDecision, RowChange } from './plan-types.ts';
import type { RemoteRecord } from './types.ts';
import { displayName } from './validate.ts';

/**
 * Protected accounts: a CRM edit never bans, renames or re-addresses them (or changes their
 * login). Such a change is not written to YouTrack: it waits in review, where a person approves it
 * (it is written then) or rejects it (the YouTrack value is written back to the CRM).
 */

/** The YouTrack properties of an account's identity and access. */
const GUARDED = new Set(['fullName', 'name', 'email', 'login', 'banned']);

export function isProtected(input: FlowPlanInput, yt: RemoteRecord): boolean {
  const p = input.protectedUsers;
  if (!p || yt.type !== 'User') return false;
  const login = yt.props['login'];
  if (typeof login === 'string' && p.logins.has(login)) return true;
  const groups = yt.props['groups'];
  return Array.isArray(groups) && groups.some((g) => p.groupIds.has(g));
}

export function guardsRow(row: MappingRow): boolean {
  return row.transform !== 'reference' && GUARDED.has(row.youtrack);
}

export const protectedKey = (ytId: string) => `protected:${ytId}`;

export function decisionFor(input: FlowPlanInput, key: string): PlannedDecision | undefined {
  return input.decisions?.find((d) => d.key === key);
}

export function protectedReview(yt: RemoteRecord, crm: RemoteRecord, changes: RowChange[]): PlanAction {
  const what = changes.map((c) => `${c.row} ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join('; ');
  return {
    kind: 'review',
    code: 'PROTECTED_ACCOUNT',
    flow: 'users',
    key: protectedKey(yt.id),
    records: [
      { system: 'youtrack', type: yt.type, id: yt.id, label: displayName(yt) },
      { system: 'customcrm', type: crm.type, id: crm.id, label: displayName(crm) },
    ],
    candidates: [],
    changes,
    message: `the CRM asks to change the protected YouTrack account ${displayName(yt)} (${what}); nothing is written to YouTrack until a person approves (tandem review ID approve) or rejects it (the YouTrack value goes back to the CRM).`,
  };
}
