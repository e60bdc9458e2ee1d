import type { Conflict, Link } from '../../store/types.ts';
import type { ConnectionPage } from './context.ts';
import { html, layout, showTime, showValue, table, type Html } from './html.ts';
import { labelOf } from '../../core/systems.ts';

/** More open conflicts than this are decided page by page: each decision removes one. */
const SHOWN = 200;

function decisionForm(p: ConnectionPage, c: Conflict): Html {
  const button = (resolution: string, label: string) =>
    html`<form class="inline" method="post" action="${p.base}/conflicts/${c.id}/resolve">
      ${p.csrf.field()} <input type="hidden" name="resolution" value="${resolution}" />
      <input type="hidden" name="link" value="${c.linkId}" /><button>${label}</button>
    </form>`;
  return html`${button('keep-winner', 'Keep winner')} ${button('apply-loser', 'Apply loser')}`;
}

async function labels(p: ConnectionPage, conflicts: readonly Conflict[]): Promise<Map<number, Link>> {
  const ids = [...new Set(conflicts.map((c) => c.linkId))];
  const links = await Promise.all(ids.map((id) => p.store.getLink(id)));
  return new Map(links.filter((l): l is Link => l !== null).map((l) => [l.id, l]));
}

export async function conflictsPage(p: ConnectionPage, url: URL): Promise<Html> {
  const [open, pending, counts] = await Promise.all([
    p.store.listConflicts({ status: 'open', limit: SHOWN }),
    p.store.pendingResolutions(),
    p.store.countConflicts(),
  ]);
  const links = await labels(p, [...open, ...pending]);
  const name = (c: Conflict) => {
    const l = links.get(c.linkId);
    return html`<a href="${p.base}/records/${c.linkId}">${l?.label || `link ${c.linkId}`}</a>`;
  };
  const decided = url.searchParams.get('decided');
  const notice = decided
    ? html`<p class="notice">
        Your decision on conflict ${decided} is recorded. The next sync cycle carries it out (it was asked to
        run now); until then it is listed under “Waiting for the next cycle”.
      </p>`
    : '';
  const openList =
    open.length === 0
      ? html`<p class="none">No open conflicts.</p>`
      : html`${table(
          ['Record', 'Property', 'Winner (applied)', 'Loser (kept in history)', 'Since', 'Decision'],
          open,
          (c) => [
            html`${name(c)} <span class="muted">${c.flow}</span>`,
            c.property,
            html`${labelOf(c.winnerSide)}: ${showValue(c.winnerValue)}`,
            html`${labelOf(c.loserSide)}: ${showValue(c.loserValue)}`,
            showTime(c.at, p.now()),
            decisionForm(p, c),
          ],
        )}
        ${counts.open > open.length ? html`<p class="muted">Showing ${open.length} of ${counts.open}; decided ones make room for the rest.</p>` : ''}`;
  const waiting =
    pending.length === 0
      ? ''
      : html`<h2>Waiting for the next cycle</h2>
          ${table(['Record', 'Property', 'Decision', 'By', 'When'], pending, (c) => [
            name(c),
            c.property,
            c.status === 'applied-loser'
              ? html`apply ${showValue(c.loserValue)} (from ${labelOf(c.loserSide)}) on both sides`
              : 'keep the winner',
            c.resolvedBy ?? '',
            showTime(c.resolvedAt, p.now()),
          ])}`;
  return layout(
    'Conflicts',
    html`${notice}
      <p>
        A property changed on both sides since the last sync: the newer change (on a tie, the configured
        priority) won and was applied; the losing value is kept. “Apply loser” writes the losing value on the
        next cycle.
      </p>
      ${openList}${waiting}`,
    p,
  );
}
