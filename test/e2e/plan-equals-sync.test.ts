import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CycleReport } from '../../src/engine/cycle.ts';
import { World } from '../helpers/world.ts';

/**
 * Issue 14, point 2: `tandem plan` shows exactly what the next `tandem sync` does on the same data.
 * Random edits on both sides of a synced demo world (renames, e-mails, bans, new companies whose
 * names may collide, company moves, concurrent edits, invalid values); then the dry run's counts
 * are compared with what the sync did, per flow and system, and its rejects with the records the
 * sync quarantined.
 */

type Edit =
  | { kind: 'renameUser'; i: number; side: 'yt' | 'crm'; name: string }
  | { kind: 'email'; i: number; side: 'yt' | 'crm'; email: string }
  | { kind: 'ban'; i: number }
  | { kind: 'customer'; name: string }
  | { kind: 'group'; name: string }
  | { kind: 'move'; i: number; c: number }
  | { kind: 'moveToNew'; i: number; name: string };

const names = fc.constantFrom(
  'Support',
  'Nordlys Shipping AS',
  'Acme Widgets Ltd',
  'Fresh Co',
  'Backend',
  'Zeta',
);
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constant('renameUser' as const),
    i: fc.nat(20),
    side: fc.constantFrom('yt' as const, 'crm' as const),
    name: fc.constantFrom('Ann Other', 'Bo Di'),
  }),
  fc.record({
    kind: fc.constant('email' as const),
    i: fc.nat(20),
    side: fc.constantFrom('yt' as const, 'crm' as const),
    email: fc.constantFrom('x1@example.net', 'not an address', 'x2@example.net'),
  }),
  fc.record({ kind: fc.constant('ban' as const), i: fc.nat(20) }),
  fc.record({ kind: fc.constant('customer' as const), name: names }),
  fc.record({ kind: fc.constant('group' as const), name: names }),
  fc.record({ kind: fc.constant('move' as const), i: fc.nat(20), c: fc.nat(10) }),
  fc.record({
    kind: fc.constant('moveToNew' as const),
    i: fc.nat(20),
    name: fc.constantFrom('Newco AS', 'Support'),
  }),
);

async function apply(w: World, e: Edit): Promise<void> {
  const users = (await w.store.listLinks({ flow: 'users', limit: 100 })).filter((l) => l.status === 'active');
  const user = users[('i' in e ? e.i : 0) % users.length]!;
  const ignore = () => undefined;
  switch (e.kind) {
    case 'renameUser':
      if (e.side === 'yt') await w.hub('POST', `/users/${user.ytId}`, { name: e.name });
      else await w.crmApi('PATCH', `/contacts/${user.crmId}`, { FirstName: e.name.split(' ')[0] });
      return;
    case 'email':
      if (e.side === 'yt')
        await w.hub('POST', `/users/${user.ytId}`, { profile: { email: { email: e.email } } }).catch(ignore);
      else await w.crmApi('PATCH', `/contacts/${user.crmId}`, { Email: e.email }).catch(ignore);
      return;
    case 'ban':
      await w.crmApi('PATCH', `/contacts/${user.crmId}`, { Active: false });
      return;
    case 'customer':
      await w.crmApi('POST', '/customers', { Name: e.name });
      return;
    case 'group':
      await w.hub('POST', '/usergroups?fields=id', { name: e.name }).catch(ignore);
      return;
    case 'moveToNew': {
      // A Contact moved to a Customer made this cycle: it becomes a group only during the sync.
      const c = await w.crmApi<{ Id: string }>('POST', '/customers', { Name: e.name });
      await w.crmApi('PATCH', `/contacts/${user.crmId}`, { CustomerId: c.Id });
      return;
    }
    case 'move': {
      const customers = await w.crmAll<{ Id: string }>('customers');
      await w.crmApi('PATCH', `/contacts/${user.crmId}`, {
        CustomerId: customers[e.c % customers.length]!.Id,
      });
      return;
    }
  }
}

type Tally = Record<string, number>;

function planned(r: CycleReport): Tally {
  const t: Tally = {};
  const add = (k: string) => (t[k] = (t[k] ?? 0) + 1);
  for (const p of r.plans ?? [])
    for (const a of p.actions) {
      if (a.kind === 'create') add(`${p.flow} ${a.target} created`);
      else if (a.kind === 'update') add(`${p.flow} ${a.target} updated`);
      else if (a.kind === 'conflict') add(`${p.flow} ${a.loser} conflicts`);
      else if (a.kind === 'link') add(`${p.flow} linked`);
    }
  return t;
}

function done(r: CycleReport, linked: Record<string, number>): Tally {
  const t: Tally = {};
  for (const [flow, systems] of Object.entries(r.stats))
    for (const [system, c] of Object.entries(systems))
      for (const k of ['created', 'updated', 'conflicts'] as const)
        if (c[k] > 0) t[`${flow} ${system} ${k}`] = c[k];
  for (const [flow, n] of Object.entries(linked)) if (n > 0) t[`${flow} linked`] = n;
  return t;
}

/** `system:type:id` of the records the dry run rejects. */
function plannedRejects(r: CycleReport): string[] {
  const out = new Set<string>();
  for (const p of r.plans ?? [])
    for (const a of p.actions) if (a.kind === 'reject') out.add(`${a.system}:${a.type}:${a.id}`);
  return [...out].sort();
}

/** Each quarantine entry with what shows it was (re)quarantined: attempts and when last seen. */
async function quarantineState(w: World): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const q of await w.store.listQuarantine({ status: 'quarantined', limit: 10_000 }))
    out.set(`${q.system}:${q.recordType}:${q.recordId}`, `${q.attempts}|${q.lastSeen}`);
  return out;
}

/** The records the sync rejected: newly quarantined, or quarantined again. */
function syncRejects(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after]
    .filter(([k, v]) => before.get(k) !== v)
    .map(([k]) => k)
    .sort();
}

async function merged(w: World): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const flow of ['organizations', 'groups', 'users'] as const)
    for await (const l of w.store.iterateLinks(flow))
      if (l.origin === 'merged') out[flow] = (out[flow] ?? 0) + 1;
  return out;
}

describe('plan = sync', () => {
  it('the dry run counts what the sync then does, over random edits', async () => {
    let rejects = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
        const w = await World.start();
        try {
          expect((await w.sync()).status).toBe('ok');
          for (const e of edits) await apply(w, e);
          const before = await merged(w);
          const plan = await w.sync({ dryRun: true });
          const quarantined = await quarantineState(w);
          const sync = await w.sync();
          const after = await merged(w);
          const linked = Object.fromEntries(Object.entries(after).map(([f, n]) => [f, n - (before[f] ?? 0)]));
          expect(done(sync, linked)).toEqual(planned(plan));
          // The plan lists the records the sync rejects (and quarantines), no more and no fewer.
          expect(syncRejects(quarantined, await quarantineState(w))).toEqual(plannedRejects(plan));
          rejects += plannedRejects(plan).length;
        } finally {
          await w.close();
        }
      }),
      { numRuns: 15, seed: 1414, endOnFailure: true },
    );
    // The runs include invalid values, so the comparison of rejects is not vacuous.
    expect(rejects).toBeGreaterThan(0);
  });
});
