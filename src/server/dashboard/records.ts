import type { HistoryEntry, Link } from '../../store/types.ts';
import { PAGE_SIZE, type ConnectionPage } from './context.ts';
import { html, layout, showTime, showValue, type Html } from './html.ts';
import { labelOf } from '../../core/systems.ts';

const ORIGIN: Record<Link['origin'], string> = {
  merged: 'merged (both existed and were matched)',
  'created-in-customcrm': 'created in Customcrm from YouTrack',
  'created-in-youtrack': 'created in YouTrack from Customcrm',
};

function linkRows(p: ConnectionPage, links: readonly Link[]): Html {
  return html`<table>
    <tr>
      <th>Name</th>
      <th>Flow</th>
      <th>YouTrack</th>
      <th>Customcrm</th>
      <th>Status</th>
    </tr>
    ${links.map(
      (l) =>
        html`<tr>
          <td><a href="${p.base}/records/${l.id}">${l.label || '(no name)'}</a></td>
          <td>${l.flow}</td>
          <td>${l.ytType} <code>${l.ytId}</code></td>
          <td>${l.crmType} <code>${l.crmId}</code></td>
          <td>${l.status}</td>
        </tr>`,
    )}
  </table>`;
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
  return html`<table>
    <tr>
      <th>Mapping row</th>
      <th>YouTrack ${link.ytType} property</th>
      <th>Customcrm ${link.crmType} property</th>
      <th>Direction</th>
      <th>Last synchronized value</th>
    </tr>
    ${names.map((name) => {
      const r = byName.get(name);
      const crm = r ? (Array.isArray(r.customcrm) ? r.customcrm.join(' + ') : r.customcrm) : '';
      return html`<tr>
        <td>${name}</td>
        <td><code>${r?.youtrack ?? ''}</code></td>
        <td><code>${crm}</code></td>
        <td>${r?.direction ?? ''}</td>
        <td>${showValue(link.base[name])}</td>
      </tr>`;
    })}
  </table>`;
}

const SIDE: Record<HistoryEntry['source'], string> = {
  youtrack: labelOf('youtrack'),
  customcrm: labelOf('customcrm'),
  operator: 'an operator',
};

function historyTable(p: ConnectionPage, entries: readonly HistoryEntry[]): Html {
  if (entries.length === 0) return html`<p class="none">No history recorded.</p>`;
  return html`<table>
    <tr>
      <th>When</th>
      <th>Property</th>
      <th>Change came from</th>
      <th>What the sync did</th>
      <th>Before</th>
      <th>After</th>
      <th>Note</th>
    </tr>
    ${entries.map(
      (e) =>
        html`<tr>
          <td>${showTime(e.at, p.now())}</td>
          <td>${e.property ?? html`<span class="none">record</span>`}</td>
          <td>${SIDE[e.source]}</td>
          <td>
            ${e.action} in ${SIDE[e.system]}
            <code>${e.recordId}</code
            >${e.cycleId !== null ? html` <span class="muted">(cycle ${e.cycleId})</span>` : ''}
          </td>
          <td>${showValue(e.oldValue)}</td>
          <td>${showValue(e.newValue)}</td>
          <td>${e.note ?? ''}</td>
        </tr>`,
    )}
  </table>`;
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
    html`<table>
        <tr>
          <th>Flow</th>
          <td>${link.flow}</td>
        </tr>
        <tr>
          <th>YouTrack ${link.ytType}</th>
          <td><code>${link.ytId}</code></td>
        </tr>
        <tr>
          <th>Customcrm ${link.crmType}</th>
          <td><code>${link.crmId}</code></td>
        </tr>
        <tr>
          <th>Origin</th>
          <td>${ORIGIN[link.origin]}</td>
        </tr>
        <tr>
          <th>Status</th>
          <td>${link.status}</td>
        </tr>
        <tr>
          <th>Linked</th>
          <td>${showTime(link.createdAt, p.now())}</td>
        </tr>
        <tr>
          <th>Last synchronized</th>
          <td>${showTime(link.updatedAt, p.now())}</td>
        </tr>
      </table>
      ${conflicts.length > 0 ? html`<p class="error">${conflicts.length} open conflict(s): <a href="${p.base}/conflicts">decide on the conflicts page</a>.</p>` : ''}
      <h2>Properties</h2>
      ${propertyTable(p, link)}
      <h2>History</h2>
      ${historyTable(p, shown)}
      ${older !== undefined ? html`<p><a href="${p.base}/records/${link.id}?before=${older}">Older changes →</a></p>` : ''}`,
    p,
  );
}
