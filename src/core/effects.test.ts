import { describe, expect, it } from 'vitest';
import { effectsOf, statusAfterDelete, takenEffects } from './effects.ts';
import { deactivation } from './plan-create.ts';
import type { PlanAction } from './plan-types.ts';

const ctx = { flow: 'users' as const, cycleId: 7, at: '2026-03-01T10:00:00.000Z' };
const create: Extract<PlanAction, { kind: 'create' }> = {
  kind: 'create',
  target: 'customcrm',
  type: 'Contact',
  props: { Email: 'ada@example.com' },
  sourceId: 'yt-1',
  base: { email: 'ada@example.com' },
  label: 'Ada',
};
const created = { kind: 'created' as const, record: { id: 'c-9', hash: 'h1', version: '3' }, journalId: 41 };

describe('effectsOf', () => {
  it('links an answered create, closes its journal entry and records the creation', () => {
    const c = effectsOf(ctx, create, created);
    expect(c.links).toEqual([
      {
        journalId: 41,
        row: expect.objectContaining({
          ytType: 'User',
          ytId: 'yt-1',
          crmType: 'Contact',
          crmId: 'c-9',
          origin: 'created-in-customcrm',
          crmHash: 'h1',
          crmVersion: '3',
          ytHash: null,
        }),
      },
    ]);
    expect(c.journal).toEqual([{ id: 41, targetId: 'c-9', status: 'done' }]);
    expect(c.history).toEqual([
      expect.objectContaining({
        link: { linkId: null, ytId: 'yt-1', crmId: 'c-9' },
        system: 'customcrm',
        recordId: 'c-9',
        action: 'created',
        source: 'youtrack',
        cycleId: 7,
        at: ctx.at,
      }),
    ]);
  });

  it('refuses a create without its answer (an executor bug, not a record to skip)', () => {
    expect(() => effectsOf(ctx, create)).toThrow(/needs its answer/);
  });

  it('quarantines the source of a create answered with an already linked record', () => {
    const c = takenEffects(ctx, create, created, { ytId: 'yt-other', crmId: 'c-9' });
    expect(c.links).toEqual([]);
    expect(c.journal).toEqual([
      { id: 41, targetId: 'c-9', status: 'failed', error: 'answer already linked' },
    ]);
    expect(c.quarantine).toEqual([
      expect.objectContaining({
        system: 'youtrack',
        recordType: 'User',
        recordId: 'yt-1',
        code: 'DUPLICATE',
      }),
    ]);
    expect(c.quarantine[0]!.reason).toMatch(/already linked to yt-other/);
  });

  it('stores the base with the versions the pair writes answered', () => {
    const c = effectsOf(
      ctx,
      { kind: 'setBase', linkId: 3, ytId: 'y', crmId: 'c', base: { a: 1 }, label: 'New' },
      { kind: 'versions', versions: { crmVersion: '5', crmHash: 'x' } },
    );
    expect(c.linkPatches).toEqual([
      {
        link: { linkId: 3, ytId: 'y', crmId: 'c' },
        patch: { base: { a: 1 }, label: 'New', crmVersion: '5', crmHash: 'x' },
      },
    ]);
  });

  it('records an operator resolution as such, one history row per changed row', () => {
    const c = effectsOf(ctx, {
      kind: 'update',
      target: 'youtrack',
      type: 'User',
      id: 'y',
      linkId: 3,
      ytId: 'y',
      crmId: 'c',
      patch: { fullName: 'B' },
      changes: [{ row: 'name', from: 'A', to: 'B' }],
      by: 'operator',
    });
    expect(c.history).toEqual([
      expect.objectContaining({
        action: 'resolved',
        source: 'operator',
        property: 'name',
        oldValue: 'A',
        newValue: 'B',
      }),
    ]);
    expect(c.history[0]!.note).toMatch(/person chose/);
  });

  it('records a conflict on the loser with its history row', () => {
    const c = effectsOf(ctx, {
      kind: 'conflict',
      linkId: null,
      ytId: 'y',
      crmId: 'c',
      row: 'email',
      winner: 'youtrack',
      winnerValue: 'a@x',
      loser: 'customcrm',
      loserValue: 'b@x',
    });
    expect(c.conflicts).toEqual([
      expect.objectContaining({ link: { linkId: null, ytId: 'y', crmId: 'c' }, loserSide: 'customcrm' }),
    ]);
    expect(c.history).toEqual([
      expect.objectContaining({ action: 'conflict', recordId: 'c', oldValue: 'b@x', newValue: 'a@x' }),
    ]);
  });

  it('writes the deactivation the planner chose into the history, and marks deletions', () => {
    expect(effectsOf(ctx, deactivation('c', 4)).history).toEqual([
      expect.objectContaining({ property: 'Active', oldValue: true, newValue: false, source: 'youtrack' }),
    ]);
    const gone = effectsOf(ctx, { kind: 'markDeleted', linkId: 4, side: 'youtrack', recordId: 'y' });
    expect(gone.deleted).toEqual([{ linkId: 4, side: 'youtrack' }]);
    expect(gone.history).toEqual([expect.objectContaining({ recordId: 'y', action: 'deleted' })]);
  });

  it('moves a link to both-deleted once each side was seen deleted', () => {
    expect(statusAfterDelete('active', 'youtrack')).toBe('youtrack-deleted');
    expect(statusAfterDelete('youtrack-deleted', 'customcrm')).toBe('both-deleted');
    expect(statusAfterDelete('customcrm-deleted', 'customcrm')).toBe('customcrm-deleted');
  });

  it('closes review items and carried-out resolutions, and changes nothing for a report', () => {
    expect(effectsOf(ctx, { kind: 'decided', itemId: 2, action: 'link' }).closedReviews).toEqual([2]);
    expect(
      effectsOf(ctx, { kind: 'resolved', conflictId: 5, ytId: 'y', crmId: 'c' }).resolutionsApplied,
    ).toEqual([5]);
    const report = effectsOf(ctx, { kind: 'report', code: 'X', system: 'youtrack', ids: [], message: 'm' });
    expect(Object.values(report).every((v) => Array.isArray(v) && v.length === 0)).toBe(true);
  });
});
