import { describe, expect, it } from 'vitest';
import { defaultMapping } from './mapping.ts';
import { planCompanies, type CompanyInputs } from './plan-companies.ts';
import {
  defaultPolicy,
  type FlowPlanInput,
  type LinkState,
  type PlanAction,
  type PlannedDecision,
} from './planner.ts';
import { crmRecord, fixedRefs, ytRecord } from '../../test/support/core/world.ts';
import type { RemoteRecord } from './types.ts';

const org = (id: string, name: string) => ytRecord('Organization', id, { name });
const group = (id: string, name: string) => ytRecord('Group', id, { name, kind: 'group' });
const customer = (id: string, Name: string) => crmRecord('Customer', id, { Name });

function inputs(
  yt: RemoteRecord[],
  crm: RemoteRecord[],
  opts: {
    links?: Partial<Record<'organizations' | 'groups', LinkState[]>>;
    decisions?: PlannedDecision[];
  } = {},
): CompanyInputs {
  const base = (flow: 'organizations' | 'groups'): FlowPlanInput => ({
    flow: defaultMapping.flows[flow],
    policy: {
      ...defaultPolicy(flow),
      mergeByName: true,
      toYouTrack: flow === 'organizations' ? 'merge-only' : 'merge-then-create',
    },
    youtrack: yt.filter((r) => (flow === 'organizations' ? r.type === 'Organization' : r.type === 'Group')),
    customcrm: crm,
    youtrackComplete: true,
    customcrmComplete: true,
    links: opts.links?.[flow] ?? [],
    refs: fixedRefs([]),
    ...(opts.decisions ? { decisions: opts.decisions } : {}),
  });
  return { organizations: base('organizations'), groups: base('groups') };
}

const kinds = (actions: PlanAction[]) => actions.map((a) => a.kind);
const link = (id: number, ytId: string, crmId: string): LinkState => ({
  id,
  ytId,
  crmId,
  status: 'active',
  base: {},
  origin: 'merged',
});

describe('planCompanies: company names across organizations and groups (issue 14)', () => {
  it('links an organization to the Customer of its name, and that Customer never becomes a group', () => {
    const p = planCompanies(
      inputs([org('o1', 'Nordlys Shipping AS')], [customer('C1', ' nordlys  shipping as')]),
    );
    expect(p.organizations.actions.filter((a) => a.kind === 'link')).toMatchObject([
      { ytId: 'o1', crmId: 'C1' },
    ]);
    expect(kinds(p.groups.actions)).toEqual([]);
  });

  it('sends a name with an organization and a group as candidates to review, creating nothing', () => {
    const p = planCompanies(inputs([org('o1', 'Acme'), group('g1', 'ACME')], [customer('C1', 'Acme')]));
    const all = [...p.organizations.actions, ...p.groups.actions];
    expect(kinds(all)).toEqual(['review']);
    expect(all[0]).toMatchObject({ code: 'AMBIGUOUS_MATCH', key: 'name:acme' });
  });

  it('sends two Customers of one name to review instead of creating two groups of that name', () => {
    const p = planCompanies(inputs([], [customer('C1', 'Acme'), customer('C2', 'acme')]));
    const all = [...p.organizations.actions, ...p.groups.actions];
    expect(all).toMatchObject([{ kind: 'review', code: 'DUPLICATE_NAME' }]);
  });

  it('sends a group named like a Customer already linked elsewhere to review', () => {
    const p = planCompanies(
      inputs([org('o1', 'Acme'), group('g1', 'Acme')], [customer('C1', 'Acme')], {
        links: { organizations: [link(1, 'o1', 'C1')] },
      }),
    );
    expect(kinds(p.groups.actions)).toEqual([]);
    expect(p.organizations.actions.filter((a) => a.kind === 'review')).toMatchObject([
      { code: 'AMBIGUOUS_MATCH', records: [{ id: 'g1' }], candidates: [{ id: 'o1' }, { id: 'C1' }] },
    ]);
  });

  it('creates a counterpart for a name alone on its side', () => {
    const p = planCompanies(inputs([org('o1', 'Solo'), group('g1', 'Team')], [customer('C9', 'Elsewhere')]));
    expect(kinds(p.organizations.actions)).toEqual(['create']);
    expect(kinds(p.groups.actions).sort()).toEqual(['create', 'create']);
  });

  it("carries out a person's decision: link the chosen pair, keep apart, or create", () => {
    const world = [org('o1', 'Acme'), group('g1', 'Acme')];
    const crm = [customer('C1', 'Acme')];
    const decide = (d: Omit<PlannedDecision, 'itemId' | 'key'>) =>
      planCompanies(inputs(world, crm, { decisions: [{ itemId: 7, key: 'name:acme', ...d }] }));
    const linked = decide({ action: 'link', ytId: 'g1', crmId: 'C1' });
    expect(linked.groups.actions.filter((a) => a.kind === 'link')).toMatchObject([
      { ytId: 'g1', crmId: 'C1' },
    ]);
    expect(kinds(linked.organizations.actions)).toEqual(['decided']);
    const apart = decide({ action: 'keep-apart' });
    expect(kinds([...apart.organizations.actions, ...apart.groups.actions])).toEqual([]);
    const created = decide({ action: 'create' });
    expect(kinds(created.organizations.actions).sort()).toEqual(['create', 'decided']);
    expect(kinds(created.groups.actions)).toEqual(['create', 'create']);
  });

  it('a read of changes holds records waiting in review and a link whose pair it cannot see', () => {
    const partial = (i: CompanyInputs, waiting: string[]): CompanyInputs => {
      const f = (x: FlowPlanInput): FlowPlanInput => ({
        ...x,
        youtrackComplete: false,
        customcrmComplete: false,
        waiting: new Set(waiting),
      });
      return { organizations: f(i.organizations), groups: f(i.groups) };
    };
    // Only the Customer was read (it changed); its namesake organization waits with it in review.
    const held = planCompanies(
      partial(inputs([], [customer('C1', 'Acme')]), ['customcrm:C1', 'youtrack:o1']),
    );
    expect([...held.organizations.actions, ...held.groups.actions]).toEqual([]);
    const decision: PlannedDecision = {
      itemId: 7,
      key: 'name:acme',
      action: 'link',
      ytId: 'o1',
      crmId: 'C1',
    };
    const waits = planCompanies(partial(inputs([], [customer('C1', 'Acme')], { decisions: [decision] }), []));
    expect([...waits.organizations.actions, ...waits.groups.actions]).toEqual([]);
  });
});
