import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.ts';
import { writesChart } from './overview.ts';
import { startDashboardFixture, type DashboardFixture } from './test-fixtures.ts';

/** Whitespace around tags is the formatter's; assertions look at content. */
const compact = (s: string) => s.replace(/\s+/g, ' ').replace(/\s*([<>])\s*/g, '$1');

describe('html template', () => {
  it('escapes every interpolated value but not nested templates', () => {
    const label = `<img src=x onerror="alert('1')">&`;
    const out = html`<p>${label}</p>
      ${html`<b>${'<i>'}</b>`}`.text;
    expect(compact(out)).toBe(
      '<p>&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p><b>&lt;i&gt;</b>',
    );
    expect(escapeHtml('`')).toBe('&#96;');
  });

  it('draws one bar per cycle, the tallest for the most writes', () => {
    const svg = writesChart([
      { cycleId: 1, startedAt: 'a', writes: 2 },
      { cycleId: 2, startedAt: 'b', writes: 8 },
    ]).text;
    const heights = [...compact(svg).matchAll(/height="(\d+)"><title>/g)].map((m) => Number(m[1]));
    expect(heights).toEqual([25, 100]);
  });
});

describe('dashboard routes over HTTP', () => {
  let f: DashboardFixture;
  beforeAll(async () => {
    f = await startDashboardFixture();
  });
  afterAll(() => f.close());

  const get = (path: string) =>
    fetch(f.server.url + path, { headers: { authorization: `Bearer ${f.token}` } });
  const text = async (path: string) => {
    const res = await get(path);
    expect(res.status, path).toBe(200);
    return compact(await res.text());
  };
  const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(f.server.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: `Bearer ${f.token}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
  const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';

  it('answers 401 to every page without the token', async () => {
    for (const path of ['/', '/records?q=ada', `/records/${f.seeded.ada.id}`, '/conflicts', '/quarantine']) {
      const res = await fetch(f.server.url + path, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
    }
    expect(
      (await post('/quarantine/retry', { id: 'all' }, { authorization: 'Bearer wrong-token-000000' })).status,
    ).toBe(401);
  });

  it('shows counts per flow, cycles, API calls and the writes chart on the overview', async () => {
    const page = await text('/');
    expect(page).toMatch(/<td>users<\/td><td class="num">2<\/td>/);
    expect(page).toMatch(/<td>organizations<\/td><td class="num">1<\/td>/);
    expect(page).toContain('in 30 s');
    expect(page).toMatch(
      /<td>customcrm<\/td><td class="num">15<\/td><td class="num">0<\/td><td class="num">3<\/td>/,
    );
    expect(page).toContain('cycle 1 at');
    expect(page).not.toContain(f.token);
  });

  it('finds a record by e-mail and by Customcrm id, and shows its properties and history', async () => {
    expect(await text('/records?q=ADA%40example')).toContain(`href="/records/${f.seeded.ada.id}"`);
    expect(await text('/records?q=C-1001')).toContain('Ada Lovelace');
    const page = await text(`/records/${f.seeded.ada.id}`);
    expect(page).toContain('FirstName + LastName');
    expect(page).toContain('created in Customcrm from YouTrack');
    expect(page).toContain('&quot;ada@old.example.com&quot;');
    expect(page).toContain('both sides changed; the newer change won');
    expect(page).toContain('1 open conflict(s)');
  });

  it('escapes a label that holds markup', async () => {
    for (const page of [await text('/records?q=script'), await text(`/records/${f.seeded.evil.id}`)]) {
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page).not.toContain('<script>');
    }
  });

  it('answers 404 for an unknown record', async () => {
    expect((await get('/records/999999')).status).toBe(404);
  });

  it('refuses a POST without the form token or from another origin, and changes nothing', async () => {
    const id = f.seeded.conflictId;
    expect((await post(`/conflicts/${id}/resolve`, { resolution: 'apply-loser' })).status).toBe(403);
    const csrf = csrfOf(await text('/conflicts'));
    const foreign = await post(
      `/conflicts/${id}/resolve`,
      { resolution: 'apply-loser', csrf },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(await f.store.pendingResolutions()).toEqual([]);
  });

  it('records "apply loser" for the next cycle, wakes the runner and says so', async () => {
    const csrf = csrfOf(await text('/conflicts'));
    const id = f.seeded.conflictId;
    const origin = f.server.url;
    const res = await post(`/conflicts/${id}/resolve`, { resolution: 'apply-loser', csrf }, { origin });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/conflicts?decided=${id}`);
    const pending = await f.store.pendingResolutions();
    expect(pending.map((c) => [c.id, c.status, c.resolvedBy])).toEqual([[id, 'applied-loser', 'dashboard']]);
    expect(f.triggered).toContain('main');
    expect(await text(`/conflicts?decided=${id}`)).toContain('The next sync cycle carries it out');
    const again = await post(`/conflicts/${id}/resolve`, { resolution: 'keep-winner', csrf }, { origin });
    expect(again.status).toBe(409);
  });

  it('requests a retry of a quarantined record', async () => {
    const csrf = csrfOf(await text('/quarantine'));
    const res = await post('/quarantine/retry', { id: String(f.seeded.quarantineId), csrf });
    expect(res.headers.get('location')).toBe('/quarantine?retried=1');
    const [entry] = await f.store.listQuarantine({ status: 'quarantined', limit: 5 });
    expect(entry?.retryRequested).toBe(true);
    expect(await text('/quarantine')).toContain('retry requested');
    expect(f.log.lines).toEqual([]);
  });
});

describe('dashboard with 10,000 links', () => {
  let f: DashboardFixture;
  beforeAll(async () => {
    f = await startDashboardFixture(10_000);
  });
  afterAll(() => f.close());

  it('renders the overview, a search and a records page (timings printed for the benchmark)', async () => {
    const timed = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(f.server.url + path, { headers: { authorization: `Bearer ${f.token}` } });
      const body = compact(await res.text());
      expect(res.status, path).toBe(200);
      return { ms: performance.now() - t0, body };
    };
    const overview = await timed('/');
    expect(overview.body).toMatch(/<td>users<\/td><td class="num">10002<\/td>/);
    const search = await timed('/records?q=person99');
    expect(search.body).toContain('person99@example.com');
    expect(search.body).toContain('/records?q=person99&amp;page=1');
    const list = await timed('/records');
    expect(list.body).toContain('/records?after=');
    process.stdout.write(
      `dashboard timing with 10,000 links: overview ${overview.ms.toFixed(1)} ms, ` +
        `search ${search.ms.toFixed(1)} ms, list ${list.ms.toFixed(1)} ms\n`,
    );
  });
});
