import type { IncomingMessage, ServerResponse } from 'node:http';
import { StoreError } from '../../store/errors.ts';
import type { Route } from '../http.ts';
import { conflictsPage } from './conflicts.ts';
import type { DashboardDeps, PageContext } from './context.ts';
import { CsrfGuard } from './csrf.ts';
import { html, layout, redirect, sendHtml, type Html } from './html.ts';
import { overviewPage } from './overview.ts';
import { quarantinePage } from './quarantine.ts';
import { recordPage, searchPage } from './records.ts';

export type { DashboardDeps, DashboardRunner } from './context.ts';
export { escapeHtml } from './html.ts';

type Handler = Route['handle'];

/** An operator's request that cannot be carried out, answered with its status and reason. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function page(render: (url: URL) => Promise<Html | null>): Handler {
  return async (_req, res, { url }) => {
    const out = await render(url);
    if (out) sendHtml(res, 200, out);
    else
      sendHtml(
        res,
        404,
        layout('Not found', html`<p>No such record. <a href="/records">Search the records</a>.</p>`),
      );
  };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  sendHtml(
    res,
    status,
    layout(
      'Not done',
      html`<p class="error">${message}</p>
        <p><a href="/">Back to the overview</a></p>`,
    ),
  );
}

/** A POST: checked against CSRF, then `act` runs and names the page to go back to. */
function action(p: PageContext, act: (form: URLSearchParams, params: string[]) => Promise<string>): Handler {
  return async (req: IncomingMessage, res, ctx) => {
    const form = new URLSearchParams(await ctx.body());
    const refused = p.csrf.check(req, form);
    if (refused) return refuse(res, 403, `Refused: ${refused}.`);
    try {
      redirect(res, await act(form, ctx.params));
    } catch (err) {
      if (err instanceof Refusal) return refuse(res, err.status, err.message);
      if (err instanceof StoreError && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT_NOT_OPEN'))
        return refuse(res, 409, err.message);
      throw err;
    }
  };
}

/** The next cycle carries out what an operator decided; ask every connection to run it now. */
function wakeAll(p: PageContext): void {
  for (const s of p.deps.runner.schedule()) p.deps.runner.trigger(s.connection);
}

/** The dashboard's pages (issue 6): all behind the token; every POST also passes the CSRF guard. */
export function dashboardRoutes(deps: DashboardDeps): Route[] {
  const p: PageContext = { deps, csrf: new CsrfGuard(), now: deps.now ?? Date.now };
  const get = (path: string | RegExp, handle: Handler): Route => ({
    method: 'GET',
    path,
    auth: 'token',
    handle,
  });
  const post = (path: string | RegExp, handle: Handler): Route => ({
    method: 'POST',
    path,
    auth: 'token',
    handle,
  });
  return [
    get(
      '/',
      page(() => overviewPage(p)),
    ),
    get(
      '/records',
      page((url) => searchPage(p, url)),
    ),
    get(/^\/records\/(\d+)$/, async (req, res, ctx) =>
      page((url) => recordPage(p, Number(ctx.params[0]), url))(req, res, ctx),
    ),
    get(
      '/conflicts',
      page((url) => conflictsPage(p, url)),
    ),
    post(
      /^\/conflicts\/(\d+)\/resolve$/,
      action(p, async (form, params) => {
        const id = Number(params[0]);
        const resolution = form.get('resolution');
        if (resolution !== 'keep-winner' && resolution !== 'apply-loser')
          throw new Refusal(400, `conflict ${id}: the decision must be keep-winner or apply-loser`);
        await deps.store.resolveConflict(id, resolution, 'dashboard');
        wakeAll(p);
        return `/conflicts?decided=${id}`;
      }),
    ),
    get(
      '/quarantine',
      page((url) => quarantinePage(p, url)),
    ),
    post(
      '/quarantine/retry',
      action(p, async (form) => {
        const raw = form.get('id') ?? '';
        const target = raw === 'all' ? 'all' : Number.parseInt(raw, 10);
        if (target !== 'all' && !(target > 0))
          throw new Refusal(400, `quarantine entry "${raw}": name an entry id or "all"`);
        const n = await deps.store.requestRetry(target);
        wakeAll(p);
        return `/quarantine?retried=${n}`;
      }),
    ),
  ];
}
