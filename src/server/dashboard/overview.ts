import type { FlowName } from '../../core/types.ts';
import type { CycleRecord } from '../../store/types.ts';
import type { ConnectionPage, PageContext } from './context.ts';
import { html, layout, num, relative, showTime, table, type Html } from './html.ts';

const FLOWS: readonly FlowName[] = ['organizations', 'groups', 'users'];
/** Open conflicts and quarantined records are counted from lists capped here, to bound the page. */
const COUNT_CAP = 10_000;
/** The chart shows a connection's finished cycles among this many of the whole database. */
const CHART_WINDOW = 1000;
const CHART_BARS = 50;

interface FlowRow {
  linked: number;
  deleted: number;
  pending: number;
  conflicts: number;
  quarantined: number;
}

function tally<T extends { flow: FlowName }>(
  rows: readonly T[],
  into: Record<FlowName, FlowRow>,
  key: keyof FlowRow,
) {
  for (const r of rows) into[r.flow][key]++;
}

async function flowCounts(p: ConnectionPage): Promise<{ rows: Record<FlowName, FlowRow>; capped: boolean }> {
  const { store } = p;
  const rows = Object.fromEntries(
    FLOWS.map((f) => [f, { linked: 0, deleted: 0, pending: 0, conflicts: 0, quarantined: 0 }]),
  ) as Record<FlowName, FlowRow>;
  for (const c of await store.countLinks())
    rows[c.flow][c.status === 'active' ? 'linked' : 'deleted'] += c.count;
  const [conflicts, quarantined, resolutions, writes] = await Promise.all([
    store.listConflicts({ status: 'open', limit: COUNT_CAP }),
    store.listQuarantine({ status: 'quarantined', limit: COUNT_CAP }),
    store.pendingResolutions(),
    store.pendingWrites(),
  ]);
  tally(conflicts, rows, 'conflicts');
  tally(quarantined, rows, 'quarantined');
  tally(resolutions, rows, 'pending');
  tally(writes, rows, 'pending');
  return { rows, capped: conflicts.length === COUNT_CAP || quarantined.length === COUNT_CAP };
}

function flowTable(p: ConnectionPage, counts: { rows: Record<FlowName, FlowRow>; capped: boolean }): Html {
  const n = (v: number) => num(counts.capped && v === COUNT_CAP ? `≥ ${v}` : v);
  const headings = [
    'Flow',
    'Linked',
    'Deleted on a side',
    { text: 'Pending', title: 'decisions and creates waiting for the next cycle' },
    'Open conflicts',
    'Quarantined',
  ];
  return table(headings, FLOWS, (f) => {
    const r = counts.rows[f];
    return [
      f,
      n(r.linked),
      n(r.deleted),
      n(r.pending),
      num(html`<a href="${p.base}/conflicts">${r.conflicts}</a>`),
      num(html`<a href="${p.base}/quarantine">${r.quarantined}</a>`),
    ];
  });
}

/** When the runner of this process starts the connection's next cycle. */
export function nextCycle(p: PageContext, name: string): Html {
  const s = p.deps.runner.schedule().find((x) => x.connection === name);
  if (!s) return html`<span class="none">not scheduled here</span>`;
  if (s.running) return html`running now`;
  return s.nextAt > 0 ? html`${relative(s.nextAt - p.now())}` : html`starting`;
}

/** A cycle's status; a failed one with its message. */
export function cycleStatus(c: CycleRecord | null): Html {
  return html`${c?.status ?? '—'}${c?.message ? html` <span class="muted">${c.message}</span>` : ''}`;
}

async function cycleTable(p: ConnectionPage): Promise<Html> {
  const c = (await p.store.lastCycles()).find((x) => x.connection === p.name) ?? null;
  return table(['Last cycle', 'Status', 'Writes', 'Next cycle'], [c], (last) => [
    last
      ? html`${showTime(last.startedAt, p.now())} <span class="muted">${last.kind}</span>`
      : html`<span class="none">none yet</span>`,
    cycleStatus(last),
    num(last?.writes ?? '—'),
    nextCycle(p, p.name),
  ]);
}

/** The connection's last finished cycles, oldest first. */
async function chartPoints(p: ConnectionPage) {
  const mine = (await p.store.listCycles({ limit: CHART_WINDOW })).filter(
    (c) => c.connection === p.name && c.finishedAt !== null,
  );
  return mine
    .slice(0, CHART_BARS)
    .reverse()
    .map((c) => ({ cycleId: c.id, startedAt: c.startedAt, writes: c.writes }));
}

function apiTable(p: ConnectionPage): Html {
  const sum = (name: string) => {
    const by = new Map<string, number>();
    for (const s of p.deps.metrics.series(name)) {
      if (s.labels['connection'] !== p.name) continue;
      const system = s.labels['system'] ?? '?';
      by.set(system, (by.get(system) ?? 0) + s.value);
    }
    return by;
  };
  const calls = sum('tandem_api_calls_total');
  const errors = sum('tandem_api_errors_total');
  const retries = sum('tandem_api_retries_total');
  const systems = [...new Set(['youtrack', 'customcrm', ...calls.keys()])];
  return html`${table(['System', 'API calls', 'Retried', 'Errors'], systems, (s) => [
      s,
      num(calls.get(s) ?? 0),
      num(retries.get(s) ?? 0),
      num(errors.get(s) ?? 0),
    ])}
    <p class="muted">Counted since this process started.</p>`;
}

/** An inline SVG bar chart: no script, no external file. */
export function writesChart(
  points: ReadonlyArray<{ cycleId: number; startedAt: string; writes: number }>,
): Html {
  if (points.length === 0) return html`<p class="none">No finished cycle yet.</p>`;
  const w = 10;
  const h = 100;
  const max = Math.max(1, ...points.map((p) => p.writes));
  const bars = points.map((pt, i) => {
    const bh = Math.round((pt.writes / max) * h);
    return html`<rect
      class="bar"
      x="${i * w + 1}"
      y="${h - bh + 12}"
      width="${w - 2}"
      height="${Math.max(bh, 1)}"
      ><title>cycle ${pt.cycleId} at ${pt.startedAt}: ${pt.writes} writes</title></rect
    >`;
  });
  return html`<svg
    role="img"
    aria-label="writes per cycle"
    width="${points.length * w + 40}"
    height="${h + 26}"
    viewBox="0 0 ${points.length * w + 40} ${h + 26}"
  >
    <text x="${points.length * w + 4}" y="20">${max}</text>
    <text x="${points.length * w + 4}" y="${h + 12}">0</text>
    ${bars}
    ${
      points.length >= 8
        ? html`<text x="0" y="${h + 24}">oldest</text>
            <text x="${points.length * w - 34}" y="${h + 24}">newest</text>`
        : ''
    }
  </svg>`;
}

/** One connection's overview: its records per flow, its cycles and its API calls. */
export async function overviewPage(p: ConnectionPage): Promise<Html> {
  const [counts, cycles, points] = await Promise.all([flowCounts(p), cycleTable(p), chartPoints(p)]);
  return layout(
    'Overview',
    html`<h2>Records per flow</h2>
      ${flowTable(p, counts)}
      <h2>Cycles</h2>
      ${cycles}
      <h2>API calls</h2>
      ${apiTable(p)}
      <h2>Writes per cycle (last ${points.length})</h2>
      ${writesChart(points)}`,
    p,
  );
}
