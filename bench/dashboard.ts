import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDashboardFixture } from '../test/support/dashboard/fixture.ts';

export interface DashboardFigure {
  page: string;
  path: string;
  links: number;
  medianMs: number;
  maxMs: number;
}

/**
 * Issue 6: no dashboard page over 1 s to first render with 10,000 links. Each page is fetched
 * (the whole server-rendered HTML) seven times against a real SQLite store; median and max are kept.
 */
export async function benchDashboard(out: string, links = 10_000): Promise<DashboardFigure[]> {
  const f = await startDashboardFixture(links);
  const pages: Array<[string, string]> = [
    ['overview', '/c/main/'],
    ['search by e-mail', '/c/main/records?q=person9999%40example.com'],
    ['record list', '/c/main/records'],
    ['record with history', `/c/main/records/${(await f.store.searchLinks('person5000@', 1))[0]?.id ?? 1}`],
    ['conflicts', '/c/main/conflicts'],
    ['quarantine', '/c/main/quarantine'],
  ];
  const figures: DashboardFigure[] = [];
  try {
    for (const [page, path] of pages) {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        const res = await fetch(f.server.url + path, { headers: { authorization: `Bearer ${f.token}` } });
        await res.text();
        if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      figures.push({
        page,
        path,
        links,
        medianMs: Math.round(times[3]! * 10) / 10,
        maxMs: Math.round(times[6]! * 10) / 10,
      });
    }
  } finally {
    await f.close();
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'bench-dashboard.json'),
    JSON.stringify({ at: new Date().toISOString(), figures }, null, 2) + '\n',
  );
  return figures;
}
