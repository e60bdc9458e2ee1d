import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  startDashboardFixture,
  type DashboardFixture,
} from '../../../test/support/dashboard/fixture.ts';

describe('dashboard in a real browser', () => {
  let f: DashboardFixture;
  let browser: Browser;

  beforeAll(async () => {
    f = await startDashboardFixture(0, { twoConnections: true });
    // A few finished cycles so the writes chart has bars to draw.
    for (const writes of [3, 0, 12, 5, 1, 0, 8, 2, 0, 4]) {
      const id = await f.store.startCycle({ connection: 'main', kind: 'incremental' });
      f.clock.advance(60_000);
      await f.store.finishCycle(id, { status: 'ok', writes, stats: {} });
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it('answers 401 without the token', async () => {
    const page = await browser.newPage();
    const res = await page.goto(f.server.url + '/');
    expect(res?.status()).toBe(401);
    await page.close();
  });

  it('opens the overview, finds a contact, decides a conflict and retries a quarantined record', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(f.server.loginLink());
    expect(new URL(page.url()).pathname).not.toContain('/login');
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Connections');
    expect(await page.locator('tr.trouble').innerText()).toContain('stopped by the circuit breaker');
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard-connections.png', fullPage: true });
    await page.getByRole('link', { name: 'main', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Overview');
    expect(new URL(page.url()).pathname).toBe('/c/main/');
    expect(await page.locator('svg rect.bar').count()).toBe(11);
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });

    await page.getByRole('link', { name: 'Records' }).click();
    await page.locator('input[name=q]').fill('ada@example');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: /Ada Lovelace/ }).click();
    expect(await page.locator('h1').textContent()).toContain('Ada Lovelace');
    const history = await page.locator('table').nth(2).innerText();
    expect(history).toContain('"ada@old.example.com"');
    expect(history).toContain('both sides changed; the newer change won');
    await page.screenshot({ path: 'test-artifacts/dashboard-record.png', fullPage: true });

    await page.getByRole('link', { name: 'Conflicts' }).first().click();
    await page.getByRole('button', { name: 'Apply loser' }).click();
    expect(await page.locator('.notice').innerText()).toContain('The next sync cycle carries it out');
    const pending = await f.store.pendingResolutions();
    expect(pending.map((c) => [c.id, c.status, c.resolvedBy])).toEqual([
      [f.seeded.conflictId, 'applied-loser', 'dashboard'],
    ]);

    await page.getByRole('link', { name: 'Quarantine' }).click();
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    expect(await page.locator('.notice').innerText()).toContain('1 record(s) will be retried');
    const entry = await f.store.findQuarantine({
      system: 'customcrm',
      recordType: 'Contact',
      recordId: 'C-4242',
    });
    expect(entry?.retryRequested).toBe(true);
    expect(f.triggered).toEqual(['main', 'main']);
    expect(await page.content()).not.toContain(f.token);
    await page.close();
  });
});
