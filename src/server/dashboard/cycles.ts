import { describeAction as describe } from '../../core/describe-action.ts';
import type { UndoReport } from '../../engine/undo.ts';
import type { ConnectionPage } from './context.ts';
import { cycleStatus } from './overview.ts';
import { html, layout, showTime, type Html } from './html.ts';

/**
 * The cycles page (issue 14): the connection's recent cycles, each with an undo that first shows
 * its dry run (the same plan `tandem undo CYCLE --dry-run` prints) and then, on a confirmed POST,
 * runs `tandem undo CYCLE` between the connection's cycles.
 */

const SHOWN = 50;

export class UndoUnavailable extends Error {}

function undoOf(p: ConnectionPage) {
  const undo = p.deps.undo;
  if (!undo) throw new UndoUnavailable('undo needs the connection to run in this process (tandem run)');
  return undo;
}

export async function cyclesPage(p: ConnectionPage, url: URL): Promise<Html> {
  const mine = (await p.store.listCycles({ limit: SHOWN * 4 }))
    .filter((c) => c.connection === p.name)
    .slice(0, SHOWN);
  const undone = url.searchParams.get('undone');
  const notice =
    undone !== null
      ? html`<p class="notice">
          Cycle ${undone} undone as cycle ${url.searchParams.get('as') ?? '?'}
          (${url.searchParams.get('writes') ?? '0'} writes).
        </p>`
      : '';
  const rows = mine.map(
    (c) =>
      html`<tr id="cycle-${c.id}">
        <td class="num">${c.id}</td>
        <td>${showTime(c.startedAt, p.now())}</td>
        <td>${c.kind}</td>
        <td>${cycleStatus(c)}</td>
        <td class="num">${c.writes}</td>
        <td>
          ${
            c.writes > 0 && p.deps.undo
              ? html`<a href="${p.base}/cycles/${c.id}/undo">Undo…</a>`
              : html`<span class="none">—</span>`
          }
        </td>
      </tr>`,
  );
  return layout(
    'Cycles',
    html`${notice}
      <p>
        The last ${SHOWN} cycles. Undo reverts one cycle's writes on both sides, after showing what it would
        write (docs/how-sync-decides.md, section 11).
      </p>
      ${
        mine.length === 0
          ? html`<p class="none">No cycle yet.</p>`
          : html`<table>
              <tr>
                <th>Cycle</th>
                <th>Started</th>
                <th>Kind</th>
                <th>Status</th>
                <th>Writes</th>
                <th>Undo</th>
              </tr>
              ${rows}
            </table>`
      }`,
    p,
  );
}

/** The dry run of an undo, with the button that carries it out. */
export async function undoPreviewPage(p: ConnectionPage, cycle: number): Promise<Html | null> {
  // A cycle of this connection that left history (what an undo reverts); one row answers it,
  // instead of listing every cycle of every connection to find this one.
  const wrote = await p.store.listHistory({ cycleId: cycle, limit: 1 });
  if (wrote.length === 0) return null;
  const report: UndoReport = await undoOf(p)(p.name, cycle, { dryRun: true });
  const actions = report.plans.flatMap((plan) => plan.actions.map((a) => ({ flow: plan.flow, a })));
  return layout(
    `Undo cycle ${cycle}`,
    html`<p>Dry run: nothing has been written yet. Undoing cycle ${cycle} would do this:</p>
      ${
        actions.length === 0
          ? html`<p class="none">Nothing to undo.</p>`
          : html`<ul class="undo-plan">
              ${actions.map(({ flow, a }) => html`<li>${flow}: ${describe(a)}</li>`)}
            </ul>`
      }
      <form method="post" action="${p.base}/cycles/${cycle}/undo">
        ${p.csrf.field()}
        <button ${actions.length === 0 ? 'disabled' : ''}>Undo cycle ${cycle}</button>
        <a href="${p.base}/cycles">Cancel</a>
      </form>`,
    p,
  );
}

/** The confirmed undo; returns the page to go back to. */
export async function undoFromForm(p: ConnectionPage, cycle: number): Promise<string> {
  const report = await undoOf(p)(p.name, cycle, { dryRun: false });
  return `${p.base}/cycles?undone=${cycle}&as=${report.cycleId ?? ''}&writes=${report.writes}`;
}
