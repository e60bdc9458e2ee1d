import { describe, expect, it } from 'vitest';
import { defaultMapping } from './mapping.ts';
import { baseOfCreate } from './plan-create.ts';
import { defaultPolicy, type PlanAction } from './planner.ts';
import { sameValue } from './plan-pair.ts';
import { contact, crmRecord, fixedRefs, World, ytRecord, ytUser } from '../../test/support/core/world.ts';

const refs = fixedRefs([
  { customerId: 'C-org', type: 'Organization', id: 'o1' },
  { customerId: 'C-grp', type: 'Group', id: 'g1' },
]);

/** Every create of the plan: the base recovery recomputes from the sent props is the planned one. */
function expectRoundTrip(w: World): number {
  const creates = w
    .plan()
    .actions.filter((a): a is Extract<PlanAction, { kind: 'create' }> => a.kind === 'create');
  for (const a of creates) {
    const base = baseOfCreate(defaultMapping.flows[w.flow], a.target, a.props, refs);
    for (const row of defaultMapping.flows[w.flow].rows)
      expect(sameValue(base[row.name], a.base[row.name]), `${a.sourceId} ${row.name}`).toBe(true);
  }
  return creates.length;
}

describe('baseOfCreate', () => {
  it('gives back the base of creates into Customcrm (split names, company, inverted flags)', () => {
    const w = new World('users', refs).add(
      ytUser('u1', { fullName: '  Jean  Paul Sartre ', organizations: ['o1'] }),
      ytUser('u2', { banned: true, groups: ['g1'], email: null }),
      ytUser('u3', { fullName: 'Mononym' }),
    );
    expect(expectRoundTrip(w)).toBe(3);
  });

  it('gives back the base of creates into YouTrack, with and without a linked company', () => {
    const w = new World('users', refs, { ...defaultPolicy('users'), toYouTrack: 'create' }).add(
      contact('c1', { Company: 'C-org', Active: false }),
      contact('c2', { Company: 'C-unlinked', FirstName: null }),
    );
    expect(expectRoundTrip(w)).toBe(2);
  });

  it('gives back the base of Customer flows both ways', () => {
    const orgs = new World('organizations', refs, {
      ...defaultPolicy('organizations'),
      toYouTrack: 'create',
    }).add(
      ytRecord('Organization', 'o9', { name: 'Nordlys Shipping AS', description: 'Ferries' }),
      crmRecord('Customer', 'C9', { Name: 'Fjord Freight', Description: null }),
    );
    expect(expectRoundTrip(orgs)).toBe(2);
  });
});
