import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMapping } from './mapping.ts';
import {
  defaultPolicy,
  planFlow,
  weighPlan,
  type FlowPlanInput,
  type LinkState,
  type PlanAction,
} from './planner.ts';
import { StreamPlanner, type KeyIndex } from './plan-stream.ts';
import { contact, fixedRefs, ytUser } from '../../test/support/core/world.ts';
import type { PropValue, RemoteRecord } from './types.ts';

/**
 * The streamed plan of the users flow is the whole-flow plan: for random directories (shared and
 * blank e-mails, records the mapping rejects, links of every status, vanished records on both
 * sides) and random policies and batch sizes, both give the same actions, order aside.
 */

const email = fc.constantFrom<PropValue>('a@x.io', 'A@x.io ', 'b@x.io', 'c@x.io', 'd@x.io', '', null, 42);
const status = fc.constantFrom<LinkState['status']>(
  'active',
  'active',
  'active',
  'youtrack-deleted',
  'both-deleted',
);
const mode = fc.constantFrom('create', 'merge-then-create', 'merge-only', 'none' as const);

const world = fc.record({
  users: fc.array(fc.record({ email, name: fc.constantFrom<PropValue>('Ada Byron', 'Bo', 7) }), {
    maxLength: 14,
  }),
  contacts: fc.array(fc.record({ email, last: fc.constantFrom('Byron', 'Old') }), { maxLength: 14 }),
  links: fc.array(fc.record({ yt: fc.nat(16), crm: fc.nat(16), status, synced: fc.boolean() }), {
    maxLength: 10,
  }),
  toCustomcrm: mode,
  toYouTrack: mode,
  deletes: fc.constantFrom('keep', 'deactivate', 'propagate' as const),
  batch: fc.integer({ min: 1, max: 6 }),
  firstPass: fc.boolean(),
});

function sample(w: {
  users: Array<{ email: PropValue; name: PropValue }>;
  contacts: Array<{ email: PropValue; last: string }>;
  links: Array<{ yt: number; crm: number; status: LinkState['status']; synced: boolean }>;
  toCustomcrm: FlowPlanInput['policy']['toCustomcrm'];
  toYouTrack: FlowPlanInput['policy']['toYouTrack'];
  deletes: FlowPlanInput['policy']['deletes'];
}): FlowPlanInput {
  const youtrack = w.users.map((u, i) => ytUser(`u${i}`, { email: u.email, fullName: u.name }));
  const customcrm = w.contacts.map((c, i) => contact(`c${i}`, { Email: c.email, LastName: c.last }));
  // At most one active link per record on each side, as the store guarantees.
  const activeYt = new Set<number>();
  const activeCrm = new Set<number>();
  const links: LinkState[] = [];
  for (const [i, l] of w.links.entries()) {
    if (l.status === 'active' && (activeYt.has(l.yt) || activeCrm.has(l.crm))) continue;
    if (l.status === 'active') {
      activeYt.add(l.yt);
      activeCrm.add(l.crm);
    }
    links.push({
      id: i + 1,
      ytId: `u${l.yt}`,
      crmId: `c${l.crm}`,
      status: l.status,
      base: l.synced ? { fullName: 'Ada Byron', email: 'a@x.io' } : {},
      origin: 'merged',
    });
  }
  return {
    flow: defaultMapping.flows.users,
    policy: {
      ...defaultPolicy('users'),
      toCustomcrm: w.toCustomcrm,
      toYouTrack: w.toYouTrack,
      deletes: w.deletes,
    },
    youtrack,
    customcrm,
    youtrackComplete: true,
    customcrmComplete: true,
    links,
    refs: fixedRefs([]),
  };
}

/**
 * As the engine runs it: a first pass that indexes keys and weighs (needed when a user could be
 * matched; optional otherwise), then the planning pass.
 */
function streamed(
  input: FlowPlanInput,
  batch: number,
  firstPass = true,
): { actions: PlanAction[]; weighed: PlanAction[] } {
  const planInput = { ...input, linkedCrm: new Set(input.links.map((l) => l.crmId)) };
  const batches: Array<[RemoteRecord[], LinkState[]]> = [];
  for (let i = 0; i < input.youtrack.length; i += batch) {
    const records = input.youtrack.slice(i, i + batch);
    const ids = new Set(records.map((r) => r.id));
    batches.push([records, input.links.filter((l) => ids.has(l.ytId))]);
  }
  const first = new StreamPlanner(planInput);
  const keys: KeyIndex = new Map();
  const weighed: PlanAction[] = [];
  for (const [records, links] of batches) {
    first.countKeys(records, links, keys);
    weighed.push(...first.linkedActions(records, links));
  }
  weighed.push(...first.vanished(input.links));
  const planner = new StreamPlanner(planInput, first.needsKeyCounts() || firstPass ? keys : undefined);
  const actions: PlanAction[] = [];
  for (const [records, links] of batches) actions.push(...planner.batch(records, links));
  actions.push(...planner.vanished(input.links), ...planner.finish());
  return { actions, weighed };
}

const sorted = (actions: PlanAction[]) => actions.map((a) => JSON.stringify(a)).sort();

describe('StreamPlanner', () => {
  it('gives the actions of planFlow over the whole flow, whatever the batch size', () => {
    fc.assert(
      fc.property(world, (w) => {
        const input = sample(w);
        const whole = planFlow(input);
        const { actions, weighed } = streamed(input, w.batch, w.firstPass);
        expect(sorted(actions)).toEqual(sorted(whole.actions));
        expect(weighPlan({ flow: 'users', actions: weighed })).toEqual(weighPlan(whole));
      }),
      { numRuns: 400 },
    );
  });

  it('links a user only when no user of another batch shares the e-mail', () => {
    const input = sample({
      users: [
        { email: 'a@x.io', name: 'Ada Byron' },
        { email: 'b@x.io', name: 'Bo' },
        { email: 'A@x.io ', name: 'Ada Byron' },
      ],
      contacts: [
        { email: 'a@x.io', last: 'Old' },
        { email: 'b@x.io', last: 'Old' },
      ],
      links: [],
      toCustomcrm: 'merge-then-create',
      toYouTrack: 'none',
      deletes: 'keep',
    });
    const { actions } = streamed(input, 2);
    expect(actions.filter((a) => a.kind === 'link')).toMatchObject([{ ytId: 'u1', crmId: 'c1' }]);
    expect(actions.flatMap((a) => (a.kind === 'create' ? [a.sourceId] : []))).toEqual(['u0', 'u2']);
    expect(actions.filter((a) => a.kind === 'review')).toMatchObject([
      {
        code: 'DUPLICATE_EMAIL',
        records: [
          { system: 'youtrack', id: 'u0' },
          { system: 'youtrack', id: 'u2' },
        ],
      },
    ]);
  });
});
