import { troubleOf, type SyncStatus } from '../engine/status.ts';
import type { CycleRecord } from '../store/types.ts';
import { EXIT } from './exit-codes.ts';

/** Blocked before failed, as `tandem sync` does: the breaker wants a decision, a failure only a look. */
export function statusExitCode(all: readonly SyncStatus[]): number {
  const troubles = all.map(troubleOf);
  if (troubles.includes('blocked')) return EXIT.BLOCKED;
  if (troubles.includes('failed')) return EXIT.PARTIAL;
  return EXIT.OK;
}

function cycleLine(c: CycleRecord | null): string {
  return c
    ? `#${c.id} ${c.kind} ${c.status} at ${c.finishedAt ?? c.startedAt}, ${c.writes} writes`
    : 'none yet';
}

function activeLinks(s: SyncStatus): number {
  return Object.values(s.links).reduce((n, byStatus) => n + (byStatus['active'] ?? 0), 0);
}

/** One connection in full: what `tandem status` prints for a single connection. */
export function statusDetail(s: SyncStatus): string {
  const lines = [`Connection: ${s.connection}`, 'Links per flow:'];
  for (const [flow, byStatus] of Object.entries(s.links))
    lines.push(
      `  ${flow.padEnd(14)} ${
        Object.entries(byStatus)
          .map(([st, n]) => `${n} ${st}`)
          .join(', ') || 'none'
      }`,
    );
  lines.push(
    `Conflicts: ${s.conflicts.open} open, ${s.conflicts.pending} resolutions waiting for the next cycle`,
    `Quarantined records: ${s.quarantine.quarantined} (${s.quarantine.retryRequested} to retry)`,
    `Pending writes: ${s.pendingWrites}`,
    `Last cycle: ${cycleLine(s.lastCycle)}${s.lastCycle?.message ? ` (${s.lastCycle.message})` : ''}`,
  );
  if (s.breakerTripped)
    lines.push('The circuit breaker stopped the last cycle: read `tandem plan`, then `tandem sync --force`.');
  return lines.join('\n') + '\n';
}

const COLUMNS = ['CONNECTION', 'LAST CYCLE', 'STATUS', 'LINKED', 'CONFLICTS', 'QUARANTINED', 'PENDING'];

/** Every connection on one line, the ones in trouble named first and explained below the table. */
export function statusSummary(all: readonly SyncStatus[]): string {
  const rows = all.map((s) => {
    const c = s.lastCycle;
    return [
      s.connection,
      c ? `#${c.id} ${c.kind} at ${c.finishedAt ?? c.startedAt}` : 'none yet',
      troubleOf(s) ?? c?.status ?? '—',
      String(activeLinks(s)),
      String(s.conflicts.open),
      String(s.quarantine.quarantined),
      String(s.pendingWrites),
    ];
  });
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const troubled = all.filter((s) => troubleOf(s) !== null);
  const head =
    troubled.length === 0
      ? `${all.length} connections, none failing.`
      : `${all.length} connections, ${troubled.length} failing: ${troubled.map((s) => s.connection).join(', ')}.`;
  const why = troubled.map((s) => `${s.connection}: ${(s.lastCycle?.message ?? '').replace(/\n/g, ' ')}`);
  return (
    [
      head,
      '',
      line(COLUMNS),
      ...rows.map(line),
      ...(why.length ? ['', ...why] : []),
      '',
      'PENDING counts creates in flight; `tandem status --connection NAME` shows one connection in full.',
    ].join('\n') + '\n'
  );
}
