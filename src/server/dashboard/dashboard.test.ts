import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from './html.ts';
import { dashboardSuite } from '../../../test/support/dashboard/suite.ts';
import { writesChart } from './overview.ts';
import { BREAKER_MESSAGE } from '../../../test/support/dashboard/fixture.ts';

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
  const f = dashboardSuite(0, { twoConnections: true });

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
    for (const path of [
      '/',
      '/c/main/',
      '/c/beta/records?q=ada',
      `/c/main/records/${f.seeded.ada.id}`,
      '/c/main/conflicts',
      '/c/nope/',
    ]) {
      const res = await fetch(f.server.url + path, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
    }
    expect(
      (await post('/c/main/quarantine/retry', { id: 'all' }, { authorization: 'Bearer wrong-token-000000' }))
        .status,
    ).toBe(401);
  });

  it('shows counts per flow, cycles, API calls and the writes chart on the overview', async () => {
    const page = await text('/c/main/');
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
    expect(await text('/c/main/records?q=ADA%40example')).toContain(
      `href="/c/main/records/${f.seeded.ada.id}"`,
    );
    expect(await text('/c/main/records?q=C-1001')).toContain('Ada Lovelace');
    const page = await text(`/c/main/records/${f.seeded.ada.id}`);
    expect(page).toContain('FirstName + LastName');
    expect(page).toContain('created in Customcrm from YouTrack');
    expect(page).toContain('&quot;ada@old.example.com&quot;');
    expect(page).toContain('both sides changed; the newer change won');
    expect(page).toContain('1 open conflict(s)');
  });

  it('escapes a label that holds markup', async () => {
    for (const page of [
      await text('/c/main/records?q=script'),
      await text(`/c/main/records/${f.seeded.evil.id}`),
    ]) {
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page).not.toContain('<script>');
    }
  });

  it('answers 404 for an unknown record', async () => {
    expect((await get('/c/main/records/999999')).status).toBe(404);
  });

  it('refuses a POST without the form token or from another origin, and changes nothing', async () => {
    const id = f.seeded.conflictId;
    const link = String(f.seeded.ada.id);
    expect((await post(`/c/main/conflicts/${id}/resolve`, { resolution: 'apply-loser', link })).status).toBe(
      403,
    );
    const csrf = csrfOf(await text('/c/main/conflicts'));
    const foreign = await post(
      `/c/main/conflicts/${id}/resolve`,
      { resolution: 'apply-loser', link, csrf },
      { origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(await f.store.pendingResolutions()).toEqual([]);
  });

  it('records "apply loser" for the next cycle, wakes the runner and says so', async () => {
    const conflicts = await text('/c/main/conflicts');
    const csrf = csrfOf(conflicts);
    const id = f.seeded.conflictId;
    const link = String(f.seeded.ada.id);
    expect(conflicts).toContain(`action="/c/main/conflicts/${id}/resolve"`);
    const origin = f.server.url;
    const res = await post(
      `/c/main/conflicts/${id}/resolve`,
      { resolution: 'apply-loser', link, csrf },
      { origin },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/c/main/conflicts?decided=${id}`);
    const pending = await f.store.pendingResolutions();
    expect(pending.map((c) => [c.id, c.status, c.resolvedBy])).toEqual([[id, 'applied-loser', 'dashboard']]);
    expect(f.triggered).toEqual(['main']);
    expect(await text(`/c/main/conflicts?decided=${id}`)).toContain('The next sync cycle carries it out');
    const again = await post(
      `/c/main/conflicts/${id}/resolve`,
      { resolution: 'keep-winner', link, csrf },
      { origin },
    );
    expect(again.status).toBe(409);
  });

  it('requests a retry of a quarantined record', async () => {
    const csrf = csrfOf(await text('/c/main/quarantine'));
    // Entry ids are unique across connections: beta's page does not reach main's entry.
    const wrong = await post('/c/beta/quarantine/retry', { id: String(f.seeded.quarantineId), csrf });
    expect(wrong.headers.get('location')).toBe('/c/beta/quarantine?retried=0');
    const res = await post('/c/main/quarantine/retry', { id: String(f.seeded.quarantineId), csrf });
    expect(res.headers.get('location')).toBe('/c/main/quarantine?retried=1');
    const [entry] = await f.store.listQuarantine({ status: 'quarantined', limit: 5 });
    expect(entry?.retryRequested).toBe(true);
    expect(await text('/c/main/quarantine')).toContain('retry requested');
    expect(f.log.lines).toEqual([]);
  });
});

describe('dashboard with two connections', () => {
  const f = dashboardSuite(0, { twoConnections: true });

  const get = (path: string) =>
    fetch(f.server.url + path, { redirect: 'manual', headers: { authorization: `Bearer ${f.token}` } });
  const page = async (path: string, status = 200) => {
    const res = await get(path);
    expect(res.status, path).toBe(status);
    return compact(await res.text());
  };

  it('lists every connection on /, the failing one named first with its reason, each linking to its pages', async () => {
    const list = await page('/');
    expect(list).toContain('<h1>Connections</h1>');
    expect(list).toContain('1 of 2 connections failing:<a href="/c/beta/">beta</a>');
    expect(list).toMatch(
      /<tr><td><a href="\/c\/main\/">main<\/a><\/td>.*?<td>ok<\/td><td class="num">7<\/td><td>in 30 s<\/td><td class="num">3<\/td><td class="num">0<\/td><td class="num"><a href="\/c\/main\/conflicts">1<\/a><\/td><td class="num"><a href="\/c\/main\/quarantine">1<\/a>/,
    );
    expect(list).toMatch(
      /<tr class="trouble"><td><a href="\/c\/beta\/">beta<\/a><\/td>.*?stopped by the circuit breaker.*?failed/,
    );
    expect(list).toContain(escapeHtml(BREAKER_MESSAGE));
  });

  it("shows the second connection's own overview, records and conflicts", async () => {
    const overview = await page('/c/beta/');
    expect(overview).toContain('<span class="conn">beta</span>');
    expect(overview).toMatch(/<td>users<\/td><td class="num">1<\/td>/);
    expect(overview).toMatch(/<td>organizations<\/td><td class="num">0<\/td>/);
    expect(overview).toContain('failed');
    expect(overview).not.toContain('cycle 1 at');
    const search = await page('/c/beta/records?q=ada');
    expect(search).toContain(`href="/c/beta/records/${f.beta!.ada.id}"`);
    expect(search).not.toContain('Ada Lovelace');
    expect(await page(`/c/beta/records/${f.beta!.ada.id}`)).toContain('Ada Byron');
    expect(await page(`/c/beta/records/${f.seeded.ada.id}`, 404)).toContain('No such record in beta');
    const conflicts = await page('/c/beta/conflicts');
    expect(conflicts).toContain(`action="/c/beta/conflicts/${f.beta!.conflictId}/resolve"`);
    expect(conflicts).not.toContain('Augusta Ada King');
  });

  it('decides a conflict on its own connection only, and wakes only that connection', async () => {
    const conflicts = await page('/c/beta/conflicts');
    const csrf = /name="csrf" value="([^"]+)"/.exec(conflicts)?.[1] ?? '';
    const post = (path: string, form: Record<string, string>) =>
      fetch(f.server.url + path, {
        method: 'POST',
        redirect: 'manual',
        headers: { authorization: `Bearer ${f.token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form, csrf }).toString(),
      });
    const crossed = await post(`/c/beta/conflicts/${f.seeded.conflictId}/resolve`, {
      resolution: 'apply-loser',
      link: String(f.seeded.ada.id),
    });
    expect(crossed.status).toBe(404);
    expect(compact(await crossed.text())).toContain(
      `conflict ${f.seeded.conflictId} is not a conflict of beta`,
    );
    expect(await f.store.pendingResolutions()).toEqual([]);
    const ok = await post(`/c/beta/conflicts/${f.beta!.conflictId}/resolve`, {
      resolution: 'keep-winner',
      link: String(f.beta!.ada.id),
    });
    expect(ok.headers.get('location')).toBe(`/c/beta/conflicts?decided=${f.beta!.conflictId}`);
    expect((await f.store.forConnection('beta').pendingResolutions()).map((c) => c.id)).toEqual([
      f.beta!.conflictId,
    ]);
    expect(f.triggered).toEqual(['beta']);
  });

  it('answers an unknown connection with a 404 page that names it and the known ones', async () => {
    for (const path of ['/c/acme/', '/c/acme/records', '/c/%3Cb%3E/conflicts']) {
      const body = await page(path, 404);
      expect(body).toContain('There is no connection named');
      expect(body).toContain('(known: main, beta)');
    }
    expect(await page('/c/acme/', 404)).toContain('named “acme”');
    expect(await page('/c/%3Cb%3E/', 404)).toContain('named “&lt;b&gt;”');
    expect(await page('/records', 404)).toContain('pick one on<a href="/">the list of connections</a>');
  });
});

describe('dashboard with 10,000 links', () => {
  const f = dashboardSuite(10_000);

  it('renders the overview, a search and a records page (timings printed for the benchmark)', async () => {
    const timed = async (path: string) => {
      const t0 = performance.now();
      const res = await fetch(f.server.url + path, { headers: { authorization: `Bearer ${f.token}` } });
      const body = compact(await res.text());
      expect(res.status, path).toBe(200);
      return { ms: performance.now() - t0, body };
    };
    const root = await fetch(f.server.url + '/records?q=x', {
      redirect: 'manual',
      headers: { authorization: `Bearer ${f.token}` },
    });
    expect(root.status).toBe(303);
    expect(root.headers.get('location')).toBe('/c/main/records?q=x');
    const overview = await timed('/');
    expect(overview.body).toMatch(/<td>users<\/td><td class="num">10002<\/td>/);
    const search = await timed('/c/main/records?q=person99');
    expect(search.body).toContain('person99@example.com');
    expect(search.body).toContain('/c/main/records?q=person99&amp;page=1');
    const list = await timed('/c/main/records');
    expect(list.body).toContain('/c/main/records?after=');
    process.stdout.write(
      `dashboard timing with 10,000 links: overview ${overview.ms.toFixed(1)} ms, ` +
        `search ${search.ms.toFixed(1)} ms, list ${list.ms.toFixed(1)} ms\n`,
    );
  });
});
