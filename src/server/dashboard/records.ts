import type { HistoryEntry, Link } from '../../store/types.ts';
import { PAGE_SIZE, type ConnectionPage } from './context.ts';
import { facts, html, layout, showTime, showValue, table, type Html } from './html.ts';
import { labelOf } from '../../core/systems.ts';

const ORIGIN: Record<Link['origin'], string> = {
  merged: 'merged (both existed and were matched)',
  'created-in-customcrm': 'created in Customcrm from YouTrack',
  'created-in-youtrack': 'created in YouTrack from Customcrm',
};

function linkRows(p: ConnectionPage, links: readonly Link[]): Html {
  return table(['Name', 'Flow', 'YouTrack', 'Customcrm', 'Status'], links, (l) => [
    html`<a href="${p.base}/records/${l.id}">${l.label || '(no name)'}</a>`,
    l.flow,
    html`${l.ytType} <code>${l.ytId}</code>`,
    html`${l.crmType} <code>${l.crmId}</code>`,
    l.status,
  ]);
}

/** `records?q=`: search by name, e-mail or id on either side; without `q`, every link in id order. */
export async function searchPage(p: ConnectionPage, url: URL): Promise<Html> {
  const q = (url.searchParams.get('q') ?? '').trim();
  const page = Math.max(0, Number.parseInt(url.searchParams.get('page') ?? '0', 10) || 0);
  const after = Math.max(0, Number.parseInt(url.searchParams.get('after') ?? '0', 10) || 0);
  const form = html`<form method="get" action="${p.base}/records">
    <input name="q" value="${q}" size="40" autofocus placeholder="name, e-mail or id" />
    <button>Search</button>
  </form>`;
  let links: Link[];
  let next: string | null = null;
  if (q) {
    // The store searches with a limit only, so a later page reads the earlier ones too; pages are few.
    const found = await p.store.searchLinks(q, (page + 1) * PAGE_SIZE + 1);
    links = found.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    if (found.length > (page + 1) * PAGE_SIZE)
      next = `${p.base}/records?q=${encodeURIComponent(q)}&page=${page + 1}`;
  } else {
    const found = await p.store.listLinks({ afterId: after, limit: PAGE_SIZE + 1 });
    links = found.slice(0, PAGE_SIZE);
    if (found.length > PAGE_SIZE) next = `${p.base}/records?after=${links[links.length - 1]?.id ?? 0}`;
  }
  const body =
    links.length === 0
      ? html`<p class="none">${q ? `Nothing matches “${q}”.` : 'No links yet.'}</p>`
      : linkRows(p, links);
  return layout(
    'Records',
    html`${form}${body}${next ? html`<p><a href="${next}">Next ${PAGE_SIZE} →</a></p>` : ''}`,
    p,
  );
}

function propertyTable(p: ConnectionPage, link: Link): Html {
  const rows = p.mapping?.flows[link.flow]?.rows ?? [];
  const names = [...new Set([...rows.map((r) => r.name), ...Object.keys(link.base)])];
  const byName = new Map(rows.map((r) => [r.name, r]));
  const headings = [
    'Mapping row',
    `YouTrack ${link.ytType} property`,
    `Customcrm ${link.crmType} property`,
    'Direction',
    'Last synchronized value',
  ];
  return table(headings, names, (name) => {
    const r = byName.get(name);
    const crm = r ? (Array.isArray(r.customcrm) ? r.customcrm.join(' + ') : r.customcrm) : '';
    return [
      name,
      html`<code>${r?.youtrack ?? ''}</code>`,
      html`<code>${crm}</code>`,
      r?.direction ?? '',
      showValue(link.base[name]),
    ];
  });
}

const SIDE: Record<HistoryEntry['source'], string> = {
  youtrack: labelOf('youtrack'),
  customcrm: labelOf('customcrm'),
  operator: 'an operator',
};

function historyTable(p: ConnectionPage, entries: readonly HistoryEntry[]): Html {
  if (entries.length === 0) return html`<p class="none">No history recorded.</p>`;
  const headings = ['When', 'Property', 'Change came from', 'What the sync did', 'Before', 'After', 'Note'];
  return table(headings, entries, (e) => [
    showTime(e.at, p.now()),
    e.property ?? html`<span class="none">record</span>`,
    SIDE[e.source],
    html`${e.action} in ${SIDE[e.system]}
      <code>${e.recordId}</code
      >${e.cycleId !== null ? html` <span class="muted">(cycle ${e.cycleId})</span>` : ''}`,
    showValue(e.oldValue),
    showValue(e.newValue),
    e.note ?? '',
  ]);
}

/**
 * A link of this page's connection, or null: ids are unique across connections and the store
 * answers `getLink` for any of them, so the link is looked up again within the connection.
 */
export async function connectionLink(p: ConnectionPage, id: number): Promise<Link | null> {
  const link = await p.store.getLink(id);
  if (!link) return null;
  const mine = await p.store.findLinks({ flow: link.flow, ytIds: [link.ytId] });
  return mine.some((l) => l.id === id) ? link : null;
}

/** `records/:id`: the link, its properties side by side and its per-field history. */
export async function recordPage(p: ConnectionPage, id: number, url: URL): Promise<Html | null> {
  const link = await connectionLink(p, id);
  if (!link) return null;
  const before = Number.parseInt(url.searchParams.get('before') ?? '', 10);
  const [history, conflicts] = await Promise.all([
    p.store.listHistory({
      linkId: id,
      limit: PAGE_SIZE + 1,
      ...(before > 0 ? { beforeId: before } : {}),
    }),
    p.store.listConflicts({ linkId: id, status: 'open', limit: PAGE_SIZE }),
  ]);
  const shown = history.slice(0, PAGE_SIZE);
  const older = history.length > PAGE_SIZE ? shown[shown.length - 1]?.id : undefined;
  return layout(
    link.label || `Link ${link.id}`,
    html`${facts([
        ['Flow', link.flow],
        [`YouTrack ${link.ytType}`, html`<code>${link.ytId}</code>`],
        [`Customcrm ${link.crmType}`, html`<code>${link.crmId}</code>`],
        ['Origin', ORIGIN[link.origin]],
        ['Status', link.status],
        ['Linked', showTime(link.createdAt, p.now())],
        ['Last synchronized', showTime(link.updatedAt, p.now())],
      ])}
      ${conflicts.length > 0 ? html`<p class="error">${conflicts.length} open conflict(s): <a href="${p.base}/conflicts">decide on the conflicts page</a>.</p>` : ''}
      <h2>Properties</h2>
      ${propertyTable(p, link)}
      <h2>History</h2>
      ${historyTable(p, shown)}
      ${older !== undefined ? html`<p><a href="${p.base}/records/${link.id}?before=${older}">Older changes →</a></p>` : ''}`,
    p,
  );
}
