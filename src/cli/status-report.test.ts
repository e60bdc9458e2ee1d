import { describe, expect, it } from 'vitest';
import { breakerTripped, type SyncStatus } from '../engine/status.ts';
import type { CycleRecord } from '../store/types.ts';
import { statusExitCode } from './status-report.ts';

const cycle = (status: CycleRecord['status'], message?: string): CycleRecord => ({
  id: 1,
  connection: 'a',
  kind: 'full',
  status,
  writes: 0,
  stats: {},
  startedAt: '2024-06-01T12:00:00Z',
  finishedAt: null,
  ...(message ? { message } : {}),
});

const statusOf = (c: CycleRecord | null): SyncStatus => ({
  connection: 'a',
  links: {},
  conflicts: { open: 0, pending: 0 },
  quarantine: { quarantined: 0, retryRequested: 0 },
  pendingWrites: 0,
  lastCycle: c,
  breakerTripped: breakerTripped(c),
});

describe('tandem status exit code', () => {
  const tripped = cycle(
    'failed',
    'Stopped before writing: the users flow would delete 9 of 10 linked records',
  );

  it('is 0 while no last cycle failed, whether one ran, runs, was stopped or never ran', () => {
    expect(statusExitCode([cycle('ok'), cycle('running'), cycle('stopped'), null].map(statusOf))).toBe(0);
    expect(statusExitCode([])).toBe(0);
  });

  it('is 1 when a last cycle failed and 5 when the breaker stopped one, which wins', () => {
    expect(statusExitCode([cycle('ok'), cycle('failed', 'YouTrack 503')].map(statusOf))).toBe(1);
    expect(statusExitCode([cycle('failed', 'YouTrack 503'), tripped].map(statusOf))).toBe(5);
  });

  it('tells the breaker from a failure that merely mentions it', () => {
    expect(breakerTripped(tripped)).toBe(true);
    expect(breakerTripped(cycle('failed', 'YouTrack: Stopped before writing: 503'))).toBe(false);
    expect(breakerTripped(cycle('ok', tripped.message))).toBe(false);
  });
});
