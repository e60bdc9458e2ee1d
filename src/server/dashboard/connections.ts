import { collectAllStatus, troubleOf, type SyncStatus } from '../../engine/status.ts';
import type { PageContext } from './context.ts';
import { html, layout, showTime, type Html } from './html.ts';
import { cycleStatus, nextCycle } from './overview.ts';

const linked = (s: SyncStatus) =>
  Object.values(s.links).reduce((n, byStatus) => n + (byStatus['active'] ?? 0), 0);

function row(p: PageContext, s: SyncStatus): Html {
  const base = `/c/${encodeURIComponent(s.connection)}`;
  const c = s.lastCycle;
  const trouble = troubleOf(s);
  return html`<tr class="${trouble ? 'trouble' : ''}">
    <td><a href="${base}/">${s.connection}</a></td>
    <td>${c ? showTime(c.startedAt, p.now()) : html`<span class="none">none yet</span>`}</td>
    <td>
      ${trouble === 'blocked' ? html`<strong>stopped by the circuit breaker</strong> ` : ''}${cycleStatus(c)}
    </td>
    <td class="num">${c?.writes ?? '—'}</td>
    <td>${nextCycle(p, s.connection)}</td>
    <td class="num">${linked(s)}</td>
    <td class="num">${s.conflicts.pending + s.pendingWrites}</td>
    <td class="num"><a href="${base}/conflicts">${s.conflicts.open}</a></td>
    <td class="num"><a href="${base}/quarantine">${s.quarantine.quarantined}</a></td>
  </tr>`;
}

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
      <table>
        <tr>
          <th>Connection</th>
          <th>Last cycle</th>
          <th>Status</th>
          <th>Writes</th>
          <th>Next cycle</th>
          <th>Linked</th>
          <th title="decisions and creates waiting for the next cycle">Pending</th>
          <th>Open conflicts</th>
          <th>Quarantined</th>
        </tr>
        ${all.map((s) => row(p, s))}
      </table>`,
  );
}
