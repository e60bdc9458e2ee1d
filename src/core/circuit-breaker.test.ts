import { describe, expect, it } from 'vitest';
import { checkCircuitBreaker } from './circuit-breaker.ts';
import type { FlowPlan, PlanAction } from './plan-types.ts';

const update = (linkId: number | null): PlanAction => ({
  kind: 'update',
  target: 'customcrm',
  type: 'Contact',
  id: `c${linkId}`,
  linkId,
  ytId: `u${linkId}`,
  crmId: `c${linkId}`,
  patch: { Email: 'x@example.com' },
  changes: [],
});
const del = (linkId: number): PlanAction => ({
  kind: 'delete',
  target: 'customcrm',
  type: 'Contact',
  id: `c${linkId}`,
  linkId,
});
const plan = (flow: FlowPlan['flow'], actions: PlanAction[]): FlowPlan => ({
  flow,
  actions,
  counts: {} as FlowPlan['counts'],
});
const limits = { maxDeleteShare: 0.1, maxChangeShare: 0.5, minRecords: 10 };
const linked = { organizations: 3, groups: 20, users: 20 };

describe('checkCircuitBreaker', () => {
  it('lets a cycle within the limits pass', () => {
    expect(checkCircuitBreaker([plan('users', [del(1), del(2), update(3)])], linked, limits)).toEqual({
      ok: true,
    });
  });

  it('stops a cycle that would delete more than the share, and says how to go past it', () => {
    const r = checkCircuitBreaker([plan('users', [del(1), del(2), del(3)])], linked, limits);
    expect(r).toEqual({
      ok: false,
      message:
        'Stopped before writing: the users flow would delete, deactivate or mark deleted 3 of 20 linked records (15%), above the limit of 10% (maxDeleteShare). ' +
        'Check the plan with `tandem plan`; if it is intended, run `tandem sync --force` to go past the limit.',
    });
  });

  it('counts records that vanished (links marked deleted) like deletes, each link once', () => {
    const gone = (linkId: number): PlanAction => ({
      kind: 'markDeleted',
      linkId,
      side: 'customcrm',
      recordId: String(linkId),
    });
    expect(checkCircuitBreaker([plan('users', [gone(1), gone(2)])], linked, limits).ok).toBe(true);
    const r = checkCircuitBreaker([plan('users', [gone(1), gone(2), gone(3), del(3)])], linked, limits);
    expect(!r.ok && r.message).toMatch(/would delete, deactivate or mark deleted 3 of 20 linked records/);
  });

  it('counts changed links once, ignores new links, and skips flows under minRecords', () => {
    const many = Array.from({ length: 11 }, (_, i) => [update(i), update(i)]).flat();
    const r = checkCircuitBreaker(
      [plan('groups', many), plan('organizations', [del(1), del(2), del(3)])],
      linked,
      limits,
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(
      /^Stopped before writing: the groups flow would change 11 of 20 linked records \(55%\)/,
    );
    expect(!r.ok && r.message).not.toMatch(/organizations/);
    expect(
      checkCircuitBreaker(
        [
          plan(
            'groups',
            Array.from({ length: 15 }, () => update(null)),
          ),
        ],
        linked,
        limits,
      ).ok,
    ).toBe(true);
  });
});
