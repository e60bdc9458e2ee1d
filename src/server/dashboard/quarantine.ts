import type { QuarantineEntry } from '../../store/types.ts';
import type { ConnectionPage } from './context.ts';
import { html, layout, num, showTime, table, type Html } from './html.ts';
import { labelOf } from '../../core/systems.ts';

const SHOWN = 200;

function retryForm(p: ConnectionPage, target: number | 'all', label: string): Html {
  return html`<form class="inline" method="post" action="${p.base}/quarantine/retry">
    ${p.csrf.field()} <input type="hidden" name="id" value="${target}" /><button>${label}</button>
  </form>`;
}

function row(p: ConnectionPage, q: QuarantineEntry) {
  return [
    html`${labelOf(q.system)} ${q.recordType} <code>${q.recordId}</code>`,
    q.flow,
    html`<code>${q.code}</code>`,
    q.property ?? html`<span class="none">—</span>`,
    q.reason,
    num(q.attempts),
    showTime(q.firstSeen, p.now()),
    showTime(q.lastSeen, p.now()),
    q.retryRequested ? 'retry requested' : retryForm(p, q.id, 'Retry'),
  ];
}

const HEADINGS = ['Record', 'Flow', 'Code', 'Property', 'Reason', 'Attempts', 'First seen', 'Last seen', ''];

export async function quarantinePage(p: ConnectionPage, url: URL): Promise<Html> {
  const [entries, counts] = await Promise.all([
    p.store.listQuarantine({ status: 'quarantined', limit: SHOWN }),
    p.store.countQuarantine(),
  ]);
  const retried = url.searchParams.get('retried');
  const notice =
    retried !== null
      ? html`<p class="notice">
          ${retried} record(s) will be retried by the next sync cycle, which was asked to run now.
        </p>`
      : '';
  const list =
    entries.length === 0
      ? html`<p class="none">No record is quarantined.</p>`
      : html`<p>${retryForm(p, 'all', `Retry all ${counts.quarantined}`)}</p>
          ${table(HEADINGS, entries, (q) => row(p, q))}
          ${counts.quarantined > entries.length ? html`<p class="muted">Showing ${entries.length} of ${counts.quarantined}.</p>` : ''}`;
  return layout(
    'Quarantine',
    html`${notice}
      <p>
        A record the other side rejected is set aside with the reason and retried on later cycles with a
        growing pause. Fix the value in either system, then retry it here to skip the pause.
      </p>
      ${list}`,
    p,
  );
}
