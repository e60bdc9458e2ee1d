import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAction } from '../../core/describe-action.ts';
import { undoCycle } from '../../engine/undo.ts';
import { JsonLogger, MemorySink } from '../../log/logger.ts';
import { World } from '../../../test/helpers/world.ts';
import { startHttpServer, type RunningServer } from '../http.ts';
import { dashboardRoutes } from './index.ts';
import { launchChromium } from '../../../test/support/dashboard/fixture.ts';

/**
 * Issue 14: the dashboard's undo of a cycle, in a real browser, against both emulators over HTTP:
 * the dry run first (nothing written), then the undo, with the same plan as `tandem undo`.
 */
describe('undo from the dashboard in a real browser', () => {
  let w: World;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let cycle: number;
  const token = 'dashboard-undo-token-456';
  const logger = new JsonLogger(new MemorySink(), 'error');
  const knut = async () =>
    (await w.hubAll<{ login: string; name: string }>('users', 'login,name')).find(
      (u) => u.login === 'knut.johannessen',
    )!;
  const post = (path: string, form: Record<string, string>) =>
    fetch(server.url + path, {
      method: 'POST',
      redirect: 'manual',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });

  beforeAll(async () => {
    w = await World.start();
    expect((await w.sync()).status).toBe('ok');
    const users = await w.hubAll<{ id: string; login: string }>('users', 'id,login');
    const link = (await w.store.findLink({
      flow: 'users',
      ytId: users.find((u) => u.login === 'knut.johannessen')!.id,
    }))!;
    await w.crmApi('PATCH', `/contacts/${link.crmId}`, { FirstName: 'Knud' });
    const edit = await w.sync();
    expect(edit.writes).toBeGreaterThan(0);
    expect((await knut()).name).toBe('Knud Johannessen');
    cycle = (await w.store.listCycles({ limit: 1 }))[0]!.id;
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      token,
      logger,
      routes: dashboardRoutes({
        store: w.store,
        metrics: w.metrics,
        runner: { schedule: () => [], trigger: () => undefined },
        connections: [w.rt],
        undo: (_name, n, o) => undoCycle(w.rt, { store: w.store, logger }, n, o),
      }),
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(server.loginLink());
    await page.getByRole('link', { name: 'Cycles' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await w?.close();
  });

  it('lists the cycles; undo shows the dry run of tandem undo and writes nothing', async () => {
    expect(await page.locator('h1').textContent()).toBe('Cycles');
    await page.locator(`tr#cycle-${cycle}`).getByRole('link', { name: 'Undo…' }).click();
    expect(await page.locator('h1').textContent()).toBe(`Undo cycle ${cycle}`);
    const shown = await page.locator('ul.undo-plan li').allInnerTexts();
    const cli = await undoCycle(w.rt, { store: w.store, logger }, cycle, { dryRun: true });
    const expected = cli.plans.flatMap((p) => p.actions.map((a) => `${p.flow}: ${describeAction(a)}`));
    expect(expected.length).toBeGreaterThan(0);
    expect(shown).toEqual(expected);
    expect((await knut()).name).toBe('Knud Johannessen');
  });

  it('refuses the undo POST without the form token', async () => {
    expect((await post(`/c/test/cycles/${cycle}/undo`, {})).status).toBe(403);
    expect((await knut()).name).toBe('Knud Johannessen');
  });

  it('undoes the cycle: YouTrack is as before it, and the undo is a cycle of its own', async () => {
    await page.getByRole('button', { name: `Undo cycle ${cycle}` }).click();
    const notice = await page.locator('.notice').innerText();
    expect(notice).toMatch(new RegExp(`Cycle ${cycle} undone as cycle \\d+`));
    expect((await knut()).name).toBe('Knut Johannessen');
    const [undo] = await w.store.listCycles({ limit: 1 });
    expect(undo).toMatchObject({ status: 'ok', message: `undo of cycle ${cycle}` });
    expect(await page.locator(`tr#cycle-${undo!.id}`).count()).toBe(1);
    expect(await page.content()).not.toContain(token);
  });
});
