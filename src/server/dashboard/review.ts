import { decide, listQueue, type QueueEntry } from '../../engine/review-queue.ts';
import type { ConnectionPage } from './context.ts';
import { html, layout, showTime, showValue, table, type Html } from './html.ts';
import { labelOf } from '../../core/systems.ts';

/**
 * The review page (issue 14): the same queue as `tandem review`, with a button per allowed action.
 * A `link` among several records takes the pair from two radio groups.
 */

function records(e: QueueEntry, choose: boolean): Html {
  const yt = e.records.filter((r) => r.system === 'youtrack').length;
  const crm = e.records.filter((r) => r.system === 'customcrm').length;
  return html`<ul class="records">
    ${e.records.map((r) => {
      const many = r.system === 'youtrack' ? yt > 1 : crm > 1;
      const pick =
        choose && many
          ? html`<input
              type="radio"
              name="${r.system}"
              value="${r.id}"
              aria-label="link ${r.label} (${r.type})"
            /> `
          : '';
      return html`<li>${pick}${labelOf(r.system)} ${r.type} <code>${r.id}</code> ${r.label}</li>`;
    })}
    ${(e.candidates ?? []).map(
      (r) =>
        html`<li class="muted">
          already linked: ${labelOf(r.system)} ${r.type} <code>${r.id}</code> ${r.label}
        </li>`,
    )}
  </ul>`;
}

function values(e: QueueEntry): Html {
  if (!e.values?.length) return html``;
  // An undo's conflict: today's value and the one before the undone cycle, on the same side.
  const undo = e.values.some((v) => v.before !== undefined);
  const now = undo ? ' (now)' : '';
  const headings = [
    'Property',
    `YouTrack${now}`,
    `Customcrm${now}`,
    ...(undo ? ['Before the undone cycle'] : []),
  ];
  return table(headings, e.values, (v) => [
    v.property,
    showValue(v.youtrack),
    showValue(v.customcrm),
    ...(undo ? [showValue(v.before)] : []),
  ]);
}

function item(p: ConnectionPage, e: QueueEntry): Html {
  const choose = e.actions.includes('link');
  const buttons = e.actions.map((a) => html`<button name="action" value="${a}">${a}</button> `);
  return html`<section class="review-item" id="${e.id}">
    <h2><code>${e.id}</code> ${e.kind} <span class="muted">[${e.flow}] ${e.code}</span></h2>
    <p>${e.message}</p>
    <form method="post" action="${p.base}/review/decide">
      ${p.csrf.field()}<input type="hidden" name="id" value="${e.id}" />
      ${records(e, choose)} ${values(e)}
      <p>${buttons.length ? buttons : html`<span class="muted">waiting for the next cycle</span>`}</p>
    </form>
    <p class="muted">since ${showTime(e.since, p.now())}</p>
  </section>`;
}

export async function reviewPage(p: ConnectionPage, url: URL): Promise<Html> {
  const entries = await listQueue(p.store);
  const decided = url.searchParams.get('decided');
  const notice =
    decided !== null
      ? html`<p class="notice">
          ${decided}: recorded. The next sync cycle carries it out; it was asked to run now.
        </p>`
      : '';
  return layout(
    'Review',
    html`${notice}
      <p>
        The cases Tandem does not guess: ambiguous matches, duplicates, changes to protected accounts, open
        conflicts and quarantined records. A decision is carried out by the next cycle, like any write.
      </p>
      ${entries.length === 0 ? html`<p class="none">Nothing waits for review.</p>` : entries.map((e) => item(p, e))}`,
    p,
  );
}

/** The POST of a decision; returns the page to go back to. Refusals are `ReviewRefusal`s. */
export async function decideFromForm(p: ConnectionPage, form: URLSearchParams): Promise<string> {
  const id = form.get('id') ?? '';
  const action = form.get('action') ?? '';
  const yt = form.get('youtrack');
  const crm = form.get('customcrm');
  await decide(p.store, id, action, {
    by: 'dashboard',
    ...(yt ? { youtrack: yt } : {}),
    ...(crm ? { customcrm: crm } : {}),
  });
  return `${p.base}/review?decided=${encodeURIComponent(id)}`;
}
