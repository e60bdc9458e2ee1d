import { collectAllStatus, troubleOf, type SyncStatus } from '../../engine/status.ts';
import type { PageContext } from './context.ts';
import { html, layout, num, showTime, table, type Html } from './html.ts';
import { cycleStatus, nextCycle } from './overview.ts';

const linked = (s: SyncStatus) =>
  Object.values(s.links).reduce((n, byStatus) => n + (byStatus['active'] ?? 0), 0);

function row(p: PageContext, s: SyncStatus) {
  const base = `/c/${encodeURIComponent(s.connection)}`;
  const c = s.lastCycle;
  return [
    html`<a href="${base}/">${s.connection}</a>`,
    c ? showTime(c.startedAt, p.now()) : html`<span class="none">none yet</span>`,
    html`${troubleOf(s) === 'blocked' ? html`<strong>stopped by the circuit breaker</strong> ` : ''}${cycleStatus(c)}`,
    num(c?.writes ?? '—'),
    nextCycle(p, s.connection),
    num(linked(s)),
    num(s.conflicts.pending + s.pendingWrites),
    num(html`<a href="${base}/conflicts">${s.conflicts.open}</a>`),
    num(html`<a href="${base}/quarantine">${s.quarantine.quarantined}</a>`),
  ];
}

const HEADINGS = [
  'Connection',
  'Last cycle',
  'Status',
  'Writes',
  'Next cycle',
  'Linked',
  { text: 'Pending', title: 'decisions and creates waiting for the next cycle' },
  'Open conflicts',
  'Quarantined',
];

/** `/`: every connection on one row, the failing ones named first so twenty rows need no scanning. */
export async function connectionsPage(p: PageContext, names: readonly string[]): Promise<Html> {
  const all = await collectAllStatus(p.deps.store, names);
  const troubled = all.filter((s) => troubleOf(s) !== null);
  const head =
    troubled.length === 0
      ? html`<p class="notice">${all.length} connections, none failing.</p>`
      : html`<p class="error">
          ${troubled.length} of ${all.length} connections failing:
          ${troubled.map(
            (s, i) =>
              html`${i > 0 ? ', ' : ''}<a href="/c/${encodeURIComponent(s.connection)}/">${s.connection}</a>`,
          )}
        </p>`;
  return layout(
    'Connections',
    html`${head}
    ${table(
      HEADINGS,
      all,
      (s) => row(p, s),
      (s) => (troubleOf(s) ? 'trouble' : undefined),
    )}`,
  );
}
