import type { ServerResponse } from 'node:http';
import type { PropValue } from '../../core/types.ts';

/**
 * HTML built with a tagged template: every interpolated value is escaped unless it is already
 * `Html` made by this template, so a record label can never inject markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}

function render(part: Part): string {
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part as string | number | boolean));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? '')));
  return new Html(out);
}

/** A right-aligned table cell for a number. */
export class NumCell {
  constructor(readonly value: Part) {}
}
export const num = (value: Part): NumCell => new NumCell(value);

/** A column heading, with a tooltip where the heading alone is not clear. */
export type Heading = string | { text: string; title: string };

/**
 * A table with one heading row and a row per item; `cells` gives a row's cells in the headings'
 * order (`num(...)` for a number). `rowClass` marks a row, e.g. one in trouble.
 */
export function table<T>(
  headings: readonly Heading[],
  items: readonly T[],
  cells: (item: T) => ReadonlyArray<Part | NumCell>,
  rowClass?: (item: T) => string | undefined,
): Html {
  const th = (h: Heading) =>
    typeof h === 'string' ? html`<th>${h}</th>` : html`<th title="${h.title}">${h.text}</th>`;
  const td = (c: Part | NumCell) =>
    c instanceof NumCell ? html`<td class="num">${c.value}</td>` : html`<td>${c}</td>`;
  const tr = (item: T) => {
    const cls = rowClass?.(item);
    return html`<tr${cls ? html` class="${cls}"` : ''}>${cells(item).map(td)}</tr>`;
  };
  return html`<table>
    <tr>
      ${headings.map(th)}
    </tr>
    ${items.map(tr)}
  </table>`;
}

/** A two-column table of labelled values, e.g. one record's facts. */
export function facts(rows: ReadonlyArray<readonly [Part, Part]>): Html {
  return html`<table>
    ${rows.map(
      ([label, value]) =>
        html`<tr>
          <th>${label}</th>
          <td>${value}</td>
        </tr>`,
    )}
  </table>`;
}

/** A property value as the dashboard shows it: lists joined, null as an em dash. */
export function showValue(v: PropValue | undefined): Html {
  if (v === null || v === undefined) return html`<span class="none">—</span>`;
  if (Array.isArray(v)) return html`${v.join(', ')}`;
  return html`<code>${JSON.stringify(v)}</code>`;
}

/** "2024-05-01 12:00:03 UTC (5 min ago)" */
export function showTime(iso: string | null, now: number): Html {
  if (!iso) return html`<span class="none">—</span>`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return html`${iso}`;
  return html`<time datetime="${iso}">${new Date(t).toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
    <span class="muted">(${relative(t - now)})</span>`;
}

export function relative(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const text = s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
  return ms < 0 ? `${text} ago` : `in ${text}`;
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d232a;color:#fff;padding:.6em 1.2em;display:flex;gap:1.4em;align-items:baseline}
header a{color:#cfe3ff;text-decoration:none}header strong{font-size:1.1em}
main{padding:1em 1.4em;max-width:1200px}
table{border-collapse:collapse;background:#fff;margin:.4em 0 1.2em}
th,td{border:1px solid #d8dde3;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#eef1f4}.num{text-align:right}.none,.muted{color:#7a8591}
.notice{background:#e8f4ea;border:1px solid #9bc9a3;padding:.5em .8em}
.error{background:#fbeaea;border:1px solid #e0a2a2;padding:.5em .8em}
form.inline{display:inline}button{cursor:pointer}code{font-size:.95em}
header .conn{font-weight:600}tr.trouble td{background:#fbeaea}
svg rect.bar{fill:#3d7fd1}svg text{font-size:10px;fill:#7a8591}
`;

/** The pages of one connection carry its name and its own navigation in the header. */
export function layout(title: string, body: Html, connection?: { name: string; base: string }): Html {
  const c = connection;
  const nav = c
    ? html`<a href="/">All connections</a><span class="conn">${c.name}</span><a href="${c.base}/">Overview</a>
        <a href="${c.base}/records">Records</a><a href="${c.base}/conflicts">Conflicts</a>
        <a href="${c.base}/quarantine">Quarantine</a><a href="${c.base}/review">Review</a>`
    : html`<a href="/">All connections</a>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>${title}${c ? ` · ${c.name}` : ''} · Tandem</title>
        <style>
          ${new Html(CSS)}
        </style>
      </head>
      <body>
        <header><strong>Tandem</strong>${nav}</header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

/** No script may run (there is none), no other site may frame or post to the pages. */
const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it browsers send `Origin: null` on form posts, which the CSRF guard refuses.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function sendHtml(res: ServerResponse, status: number, page: Html): void {
  res.writeHead(status, HEADERS);
  res.end(page.text);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}
