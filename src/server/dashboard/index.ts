import type { IncomingMessage, ServerResponse } from 'node:http';
import { StoreError } from '../../store/errors.ts';
import type { Route } from '../http.ts';
import { conflictsPage } from './conflicts.ts';
import { connectionsPage } from './connections.ts';
import type { ConnectionPage, DashboardDeps, PageContext } from './context.ts';
import { CsrfGuard } from './csrf.ts';
import { html, layout, redirect, sendHtml, type Html } from './html.ts';
import { overviewPage } from './overview.ts';
import { quarantinePage } from './quarantine.ts';
import { connectionLink, recordPage, searchPage } from './records.ts';
import { cyclesPage, UndoUnavailable, undoFromForm, undoPreviewPage } from './cycles.ts';
import { decideFromForm, reviewPage } from './review.ts';
import { ReviewRefusal } from '../../engine/review-queue.ts';

export type { DashboardConnection, DashboardDeps, DashboardRunner } from './context.ts';
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

function notFound(res: ServerResponse, message: Html): void {
  sendHtml(res, 404, layout('Not found', html`<p>${message}</p>`));
}

function page(p: ConnectionPage, render: (url: URL) => Promise<Html | null>): Handler {
  return async (_req, res, { url }) => {
    const out = await render(url);
    if (out) sendHtml(res, 200, out);
    else
      notFound(res, html`No such record in ${p.name}. <a href="${p.base}/records">Search its records</a>.`);
  };
}

function refuse(res: ServerResponse, status: number, message: string, back = '/'): void {
  sendHtml(
    res,
    status,
    layout(
      'Not done',
      html`<p class="error">${message}</p>
        <p><a href="${back}">Back to the overview</a></p>`,
    ),
  );
}

/** A POST: checked against CSRF, then `act` runs and names the page to go back to. */
function action(p: ConnectionPage, act: (form: URLSearchParams, id: number) => Promise<string>): Handler {
  return async (req: IncomingMessage, res, ctx) => {
    const form = new URLSearchParams(await ctx.body());
    const refused = p.csrf.check(req, form);
    if (refused) return refuse(res, 403, `Refused: ${refused}.`, `${p.base}/`);
    try {
      redirect(res, await act(form, Number(ctx.params[1])));
    } catch (err) {
      if (err instanceof Refusal) return refuse(res, err.status, err.message, `${p.base}/`);
      if (err instanceof ReviewRefusal) return refuse(res, 409, err.message, `${p.base}/review`);
      if (err instanceof UndoUnavailable) return refuse(res, 409, err.message, `${p.base}/cycles`);
      if (err instanceof StoreError && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT_NOT_OPEN'))
        return refuse(res, 409, err.message, `${p.base}/`);
      throw err;
    }
  };
}

/** The next cycle carries out what an operator decided; ask the connection to run it now. */
function wake(p: ConnectionPage): void {
  if (p.deps.runner.schedule().some((s) => s.connection === p.name)) p.deps.runner.trigger(p.name);
}

/**
 * Conflict ids reach every connection, so the form names the conflict's link too; both must be
 * this connection's. Whether it is still open is the store's answer (409).
 */
async function checkConflict(p: ConnectionPage, id: number, form: URLSearchParams): Promise<void> {
  const linkId = Number(form.get('link'));
  const link = linkId > 0 ? await connectionLink(p, linkId) : null;
  const ofLink = link ? await p.store.listConflicts({ linkId, limit: 1000 }) : [];
  if (!ofLink.some((c) => c.id === id))
    throw new Refusal(404, `conflict ${id} is not a conflict of ${p.name}; reload the conflicts page`);
}

type PageRoute = [method: string, path: string, handler: (p: ConnectionPage) => Handler];

/** One connection's pages, under `/c/NAME`: the path of each is matched after that prefix. */
const PAGES: readonly PageRoute[] = [
  ['GET', '/?', (p) => page(p, () => overviewPage(p))],
  ['GET', '/records', (p) => page(p, (url) => searchPage(p, url))],
  [
    'GET',
    '/records/(\\d+)',
    (p) => async (req, res, ctx) =>
      page(p, (url) => recordPage(p, Number(ctx.params[1]), url))(req, res, ctx),
  ],
  ['GET', '/conflicts', (p) => page(p, (url) => conflictsPage(p, url))],
  [
    'POST',
    '/conflicts/(\\d+)/resolve',
    (p) =>
      action(p, async (form, id) => {
        const resolution = form.get('resolution');
        if (resolution !== 'keep-winner' && resolution !== 'apply-loser')
          throw new Refusal(400, `conflict ${id}: the decision must be keep-winner or apply-loser`);
        await checkConflict(p, id, form);
        await p.store.resolveConflict(id, resolution, 'dashboard');
        wake(p);
        return `${p.base}/conflicts?decided=${id}`;
      }),
  ],
  ['GET', '/review', (p) => page(p, (url) => reviewPage(p, url))],
  [
    'POST',
    '/review/decide',
    (p) =>
      action(p, async (form) => {
        const back = await decideFromForm(p, form);
        wake(p);
        return back;
      }),
  ],
  ['GET', '/cycles', (p) => page(p, (url) => cyclesPage(p, url))],
  [
    'GET',
    '/cycles/(\\d+)/undo',
    (p) => async (req, res, ctx) => {
      try {
        await page(p, () => undoPreviewPage(p, Number(ctx.params[1])))(req, res, ctx);
      } catch (err) {
        if (err instanceof UndoUnavailable) return refuse(res, 409, err.message, `${p.base}/cycles`);
        throw err;
      }
    },
  ],
  ['POST', '/cycles/(\\d+)/undo', (p) => action(p, (_form, id) => undoFromForm(p, id))],
  ['GET', '/quarantine', (p) => page(p, (url) => quarantinePage(p, url))],
  [
    'POST',
    '/quarantine/retry',
    (p) =>
      action(p, async (form) => {
        const raw = form.get('id') ?? '';
        const target = raw === 'all' ? 'all' : Number.parseInt(raw, 10);
        if (target !== 'all' && !(target > 0))
          throw new Refusal(400, `quarantine entry "${raw}": name an entry id or "all"`);
        const n = await p.store.requestRetry(target);
        wake(p);
        return `${p.base}/quarantine?retried=${n}`;
      }),
  ],
];

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The paths from before there were several connections; with one, they still lead to its pages. */
const LEGACY = /^\/(?:records|records\/\d+|conflicts|quarantine|review|cycles)$/;

/**
 * The dashboard's pages (issue 6): `/` lists the connections, `/c/NAME/...` are one connection's
 * pages. All are behind the token; every POST also passes the CSRF guard.
 */
export function dashboardRoutes(deps: DashboardDeps): Route[] {
  const base: PageContext = { deps, csrf: new CsrfGuard(), now: deps.now ?? Date.now };
  const pages = (deps.connections ?? [{ name: deps.store.connection }]).map((c): ConnectionPage => ({
    ...base,
    name: c.name,
    store: deps.store.forConnection(c.name),
    mapping: c.mapping,
    base: `/c/${encodeURIComponent(c.name)}`,
  }));
  const byName = new Map(pages.map((c) => [c.name, c]));
  const only = pages.length === 1 ? pages[0] : undefined;
  const pageRoute = ([method, path, handler]: PageRoute): Route => ({
    method,
    path: new RegExp(`^/c/([^/]+)${path}$`),
    auth: 'token',
    handle: (req, res, ctx) => {
      const name = decoded(ctx.params[0] ?? '');
      const c = byName.get(name);
      if (c) return handler(c)(req, res, ctx);
      notFound(
        res,
        html`There is no connection named “${name}” in this configuration (known:
          ${[...byName.keys()].join(', ')}). <a href="/">See all connections</a>.`,
      );
    },
  });
  return [
    {
      method: 'GET',
      path: '/',
      auth: 'token',
      handle: async (_req, res) => {
        if (only) return redirect(res, `${only.base}/`);
        sendHtml(res, 200, await connectionsPage(base, [...byName.keys()]));
      },
    },
    ...PAGES.map(pageRoute),
    {
      method: 'GET',
      path: LEGACY,
      auth: 'token',
      handle: (_req, res, { url }) => {
        if (only) return redirect(res, `${only.base}${url.pathname}${url.search}`);
        notFound(
          res,
          html`Each connection has its own pages under /c/NAME/: pick one on
            <a href="/">the list of connections</a>.`,
        );
      },
    },
  ];
}
