import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectsOf, type QuarantineRow } from '../core/effects.ts';
import type { PlanAction } from '../core/planner.ts';
import { openStore } from '../store/index.ts';
import type { StateStore } from '../store/types.ts';
import { applyChanges } from './apply-changes.ts';
import type { CreateAction, Pending } from './units.ts';

/** A chunk's change sets committed into a real SQLite file. */
let dir: string;
let store: StateStore;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-apply-'));
  store = await openStore(`sqlite:${join(dir, 'state.db')}`);
  await store.migrate();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ctx = { flow: 'users' as const, cycleId: null, at: '2026-03-01T00:00:00.000Z' };
const create = (sourceId: string): CreateAction => ({
  kind: 'create',
  target: 'customcrm',
  type: 'Contact',
  props: { Email: `${sourceId}@example.com` },
  sourceId,
  base: { email: `${sourceId}@example.com` },
  label: sourceId,
});

async function journal(sourceId: string) {
  const [entry] = await store.beginWrites([
    {
      key: `key-${sourceId}`,
      flow: 'users',
      op: 'create',
      targetSystem: 'customcrm',
      targetType: 'Contact',
      sourceSystem: 'youtrack',
      sourceId,
      payload: {},
    },
  ]);
  return entry!;
}

async function created(sourceId: string, crmId: string): Promise<Pending> {
  const action = create(sourceId);
  const answer = {
    kind: 'created' as const,
    record: { id: crmId, hash: 'h', version: '1' },
    journalId: (await journal(sourceId)).id,
  };
  return { changes: effectsOf(ctx, action, answer), create: { action, answer } };
}

const plain = (a: PlanAction): Pending => ({ changes: effectsOf(ctx, a) });

describe('applyChanges', () => {
  it('gives rows about a pair linked in the same chunk its new link id', async () => {
    const items = [
      plain({ kind: 'link', ytId: 'y1', crmId: 'c1', base: {}, label: 'Ada' }),
      plain({
        kind: 'update',
        target: 'customcrm',
        type: 'Contact',
        id: 'c1',
        linkId: null,
        ytId: 'y1',
        crmId: 'c1',
        patch: { LastName: 'L' },
        changes: [{ row: 'lastName', from: 'K', to: 'L' }],
      }),
      plain({
        kind: 'setBase',
        linkId: null,
        ytId: 'y1',
        crmId: 'c1',
        base: { lastName: 'L' },
        label: 'Ada L',
      }),
      await created('y2', 'c2'),
    ];
    await store.transaction((tx) => applyChanges(tx, ctx, items, () => undefined));
    const merged = await store.findLink({ flow: 'users', ytId: 'y1' });
    expect(merged).toMatchObject({ crmId: 'c1', origin: 'merged', base: { lastName: 'L' }, label: 'Ada L' });
    const history = await store.listHistory({ linkId: merged!.id });
    expect(history.map((h) => h.action).sort()).toEqual(['linked', 'updated']);
    const made = await store.findLink({ flow: 'users', ytId: 'y2' });
    expect(made).toMatchObject({ crmId: 'c2', origin: 'created-in-customcrm', crmVersion: '1' });
    expect(await store.pendingWrites()).toEqual([]);
  });

  it('never links a create answered with a record another link holds: the source is quarantined', async () => {
    const first = await created('y3', 'c3');
    await store.transaction((tx) => applyChanges(tx, ctx, [first], () => undefined));
    const quarantined: QuarantineRow[] = [];
    // A second create (after an ambiguous answer) found the same record again.
    const again = await created('y4', 'c3');
    await store.transaction((tx) => applyChanges(tx, ctx, [again], (q) => quarantined.push(q)));
    expect(await store.findLink({ flow: 'users', ytId: 'y4' })).toBeNull();
    expect(quarantined.map((q) => [q.recordId, q.code])).toEqual([['y4', 'DUPLICATE']]);
    const [q] = await store.listQuarantine({ status: 'quarantined' });
    expect(q).toMatchObject({ system: 'youtrack', recordId: 'y4', code: 'DUPLICATE' });
    expect(await store.pendingWrites()).toEqual([]);
  });

  it('rolls the whole chunk back when one write fails', async () => {
    const first = await created('y5', 'c5');
    await store.transaction((tx) => applyChanges(tx, ctx, [first], () => undefined));
    const ok = await created('y6', 'c6');
    // A second link of a record already linked: refused by the store, so nothing of the chunk stays.
    const clash = plain({ kind: 'link', ytId: 'y5', crmId: 'c9', base: {}, label: 'x' });
    await expect(
      store.transaction((tx) => applyChanges(tx, ctx, [ok, clash], () => undefined)),
    ).rejects.toThrow();
    expect(await store.findLink({ flow: 'users', ytId: 'y6' })).toBeNull();
    expect((await store.pendingWrites()).map((e) => e.sourceId)).toEqual(['y6']);
  });
});
