import { describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorErrorCode } from '../connectors/types.ts';
import type { PlanAction } from '../core/planner.ts';
import { JsonLogger, MemorySink } from '../log/logger.ts';
import type { ActionDeps } from './actions.ts';
import { noFailpoint } from './failpoints.ts';
import { StatsCollector } from './stats.ts';
import { CycleAborted, WriteFailures } from './write-errors.ts';

const ctx = { flow: 'users' as const, cycleId: 1, at: '2026-03-01T00:00:00.000Z' };
const update: PlanAction = {
  kind: 'update',
  target: 'customcrm',
  type: 'Contact',
  id: 'c-1',
  linkId: 4,
  ytId: 'y-1',
  crmId: 'c-1',
  patch: { Email: 'x' },
  changes: [],
};
const create: PlanAction = {
  kind: 'create',
  target: 'customcrm',
  type: 'Contact',
  props: {},
  sourceId: 'y-2',
  base: {},
  label: 'Ada',
};
const journaled = {
  actions: [create],
  journal: {
    id: 9,
    key: 'k',
    flow: 'users' as const,
    op: 'create' as const,
    targetSystem: 'customcrm' as const,
    targetType: 'Contact' as const,
    sourceSystem: 'youtrack' as const,
    sourceId: 'y-2',
    payload: {},
    status: 'pending' as const,
    targetId: null,
    error: null,
    createdAt: '',
    completedAt: null,
  },
};

function setup() {
  const sink = new MemorySink();
  const deps: ActionDeps = {
    connectors: {} as ActionDeps['connectors'],
    stats: new StatsCollector(),
    logger: new JsonLogger(sink, 'debug'),
    failpoint: noFailpoint,
    rejected: new Set(),
  };
  return { deps, sink, failures: new WriteFailures(deps) };
}

const refused = (code: ConnectorErrorCode, retryable = false, property?: string) =>
  new ConnectorError(code, `customcrm: refused (${code})`, {
    system: 'customcrm',
    retryable,
    ...(property ? { property } : {}),
  });

describe('WriteFailures', () => {
  it('quarantines the record a refusal names, with its code, property and reason', () => {
    const { deps, failures } = setup();
    const out = failures.failed(
      ctx,
      update,
      { actions: [update] },
      refused('INVALID_RECORD', false, 'Email'),
    );
    expect(out.quarantine).toEqual([
      {
        system: 'customcrm',
        recordType: 'Contact',
        recordId: 'c-1',
        flow: 'users',
        code: 'INVALID_RECORD',
        property: 'Email',
        reason: 'customcrm: refused (INVALID_RECORD)',
      },
    ]);
    expect(deps.rejected.has('customcrm:Contact:c-1')).toBe(true);
  });

  it('quarantines the source of a refused create and closes its journal entry', () => {
    const { failures } = setup();
    const out = failures.failed(ctx, create, journaled, refused('DUPLICATE'));
    expect(out.quarantine.map((q) => `${q.system}:${q.recordType}:${q.recordId}`)).toEqual([
      'youtrack:User:y-2',
    ]);
    expect(out.journal).toEqual([{ id: 9, status: 'failed', error: 'customcrm: refused (DUPLICATE)' }]);
  });

  it('leaves a retryable failure for the next cycle: nothing quarantined, a create stays pending', () => {
    const { deps, failures } = setup();
    const out = failures.failed(ctx, create, journaled, refused('UNAVAILABLE', true));
    expect(out.quarantine).toEqual([]);
    expect(out.journal).toEqual([]);
    expect(deps.rejected.size).toBe(0);
  });

  it('stops the cycle after eight retryable failures in a row, not when a success comes between', () => {
    const { failures } = setup();
    const fail = () => failures.failed(ctx, update, { actions: [update] }, refused('UNAVAILABLE', true));
    for (let i = 0; i < 7; i++) fail();
    failures.succeeded();
    for (let i = 0; i < 7; i++) fail();
    expect(fail).toThrow(CycleAborted);
  });

  it('replans a stale record without quarantining it', () => {
    const { failures, sink } = setup();
    const out = failures.failed(ctx, update, { actions: [update] }, refused('STALE'));
    expect(out.quarantine).toEqual([]);
    expect(sink.records().some((r) => String(r['msg']).includes('planned again'))).toBe(true);
  });

  it('throws an error that is no ConnectorError: a bug, not a refused record', () => {
    const { failures } = setup();
    expect(() => failures.failed(ctx, update, { actions: [update] }, new TypeError('oops'))).toThrow(
      TypeError,
    );
  });
});
