import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, type FlowPlan } from './planner.ts';
import { contact, crmRecord, fixedRefs, World, ytRecord, ytUser } from '../../test/support/core/world.ts';
import type { Props, PropValue } from './types.ts';

/**
 * Convergence: whatever both sides do to linked records, one plan applied brings them in line, and
 * the next plan has nothing left to write. A failure here is a ping-pong or a lost edit.
 */

const refs = fixedRefs([
  { customerId: 'C1', type: 'Organization', id: 'o1' },
  { customerId: 'C2', type: 'Organization', id: 'o2' },
  { customerId: 'C3', type: 'Group', id: 'g1' },
]);

const word = fc.constantFrom('Ada', 'Ingrid', 'Jiří', 'van', 'der', 'Berg', 'שלום', '李', '<b>x</b>', '👩‍💻');
const fullName = fc
  .array(word, { minLength: 1, maxLength: 4 })
  .chain((ws) => fc.constantFrom(' ', '  ', '\t').map((sep) => ws.join(sep)));
const timestamp = fc.option(fc.constantFrom('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'), {
  nil: undefined,
});

const ytEdit = fc.record(
  {
    fullName,
    email: fc.option(fc.constantFrom('yt@example.com', 'Shared@Example.com'), { nil: null }),
    banned: fc.boolean(),
    login: fc.constantFrom('ada', 'ada2'),
    organizations: fc.subarray(['o1', 'o2', 'o9']),
    groups: fc.subarray(['g1', 'g7']),
  },
  { requiredKeys: [] },
);
const crmEdit = fc.record(
  {
    FirstName: fc.oneof(word, fc.constant('')),
    LastName: fc.oneof(fullName, fc.constant('')),
    Email: fc.option(fc.constantFrom('crm@example.com', 'shared@example.com '), { nil: null }),
    Active: fc.option(fc.boolean(), { nil: null }),
    Username: fc.constantFrom('ada', 'x'),
    CustomerId: fc.option(fc.constantFrom('C1', 'C2', 'C3', 'C404'), { nil: null }),
  },
  { requiredKeys: [] },
);

const pairArb = fc.record({
  start: ytEdit,
  startCrm: crmEdit,
  yt: ytEdit,
  crm: crmEdit,
  ytAt: timestamp,
  crmAt: timestamp,
});

/** Only reports and review items may remain: they describe, they do not write. */
function writes(plan: FlowPlan) {
  return plan.actions.filter((a) => a.kind !== 'report' && a.kind !== 'review');
}

function edit(
  w: World,
  system: 'youtrack' | 'customcrm',
  id: string,
  patch: Record<string, PropValue>,
  at?: string,
) {
  const map = system === 'youtrack' ? w.yt : w.crm;
  const r = map.get(id);
  if (!r) return;
  map.set(id, { ...r, props: { ...r.props, ...(patch as Props) }, ...(at ? { updatedAt: at } : {}) });
}

describe('planFlow convergence', () => {
  it('plan → apply → plan leaves nothing to write, for random records and random edits on both sides', () => {
    fc.assert(
      fc.property(
        fc.array(pairArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('youtrack' as const, 'customcrm' as const),
        fc.boolean(),
        (pairs, priority, createInYouTrack) => {
          const policy = {
            ...defaultPolicy('users'),
            priority,
            toYouTrack: createInYouTrack ? 'create' : 'none',
          } as const;
          const w = new World('users', refs, policy);
          pairs.forEach((p, i) => {
            w.add(ytUser(`u${i}`, { ...p.start, email: `p${i}@example.com` }));
            w.add(
              contact(`c${i}`, {
                ...p.startCrm,
                Email: i % 2 === 0 ? `P${i}@Example.com` : `other${i}@example.com`,
              }),
            );
          });
          w.apply(w.plan());
          expect(writes(w.plan())).toEqual([]);

          const ytChangedAt: Record<string, string> = {};
          pairs.forEach((p, i) => {
            const link = w.links.find((l) => l.ytId === `u${i}`);
            if (!link) return;
            edit(w, 'youtrack', link.ytId, p.yt);
            if (p.ytAt) ytChangedAt[link.ytId] = p.ytAt;
            edit(w, 'customcrm', link.crmId, p.crm, p.crmAt);
          });
          w.apply(w.plan({ youtrackChangedAt: ytChangedAt }));
          expect(writes(w.plan({ youtrackChangedAt: ytChangedAt }))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const orgName = fc.constantFrom(
  'Nordlys Shipping AS',
  'nordlys  shipping as',
  'Železná Labs',
  'Café Société',
  '',
);
const description = fc.option(fc.constantFrom('Ferries', 'Line one\nLine two', ' padded ', ''), {
  nil: null,
});

describe('planFlow convergence for organizations', () => {
  it('merges by name, syncs random edits and then has nothing to write', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ yt: fc.tuple(orgName, description), crm: fc.tuple(orgName, description) }), {
          maxLength: 4,
        }),
        fc.array(
          fc.record({ name: fc.option(orgName), description: fc.option(description), side: fc.boolean() }),
          {
            maxLength: 6,
          },
        ),
        (records, edits) => {
          const w = new World('organizations', fixedRefs([]), {
            ...defaultPolicy('organizations'),
            mergeByName: true,
          });
          records.forEach((r, i) => {
            w.add(ytRecord('Organization', `o${i}`, { name: r.yt[0] || `Org ${i}`, description: r.yt[1] }));
            w.add(
              crmRecord('Customer', `c${i}`, {
                Name: r.crm[0] || `Customer ${i}`,
                Description: r.crm[1],
                City: 'Oslo',
              }),
            );
          });
          w.apply(w.plan());
          expect(writes(w.plan())).toEqual([]);
          edits.forEach((e, i) => {
            const link = w.links[i % Math.max(1, w.links.length)];
            if (!link) return;
            const patch: Record<string, PropValue> = {};
            if (e.name) patch[e.side ? 'name' : 'Name'] = e.name;
            if (e.description !== null) patch[e.side ? 'description' : 'Description'] = e.description;
            edit(w, e.side ? 'youtrack' : 'customcrm', e.side ? link.ytId : link.crmId, patch);
          });
          w.apply(w.plan());
          expect(writes(w.plan())).toEqual([]);
          records.forEach((_, i) => expect(w.crm.get(`c${i}`)?.props['City']).toBe('Oslo'));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never deletes or marks anything after an incomplete read', () => {
    fc.assert(
      fc.property(
        fc.subarray([0, 1, 2, 3]),
        fc.subarray([0, 1, 2, 3]),
        fc.constantFrom('keep', 'deactivate', 'propagate'),
        (ytKept, crmKept, deletes) => {
          const w = new World('users', refs);
          for (const i of [0, 1, 2, 3])
            w.add(ytUser(`u${i}`), contact(`c${i}`, { Email: `u${i}@example.com` }));
          w.apply(w.plan());
          w.policy = { ...w.policy, deletes };
          const plan = w.plan({
            youtrack: ytKept.map((i) => w.yt.get(`u${i}`)!),
            customcrm: crmKept.map((i) => w.crm.get(`c${i}`)!),
            youtrackComplete: false,
            customcrmComplete: false,
          });
          expect(
            plan.actions.filter((a) => ['delete', 'deactivate', 'markDeleted'].includes(a.kind)),
          ).toEqual([]);
        },
      ),
    );
  });
});
