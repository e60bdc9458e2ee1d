import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  startDashboardFixture,
  type DashboardFixture,
} from '../../../test/support/dashboard/fixture.ts';

/** Issue 14: the review page decides every kind of item, as `tandem review` does. */
describe('review page in a real browser', () => {
  let f: DashboardFixture;
  let browser: Browser;
  let page: Page;
  const item = (id: string) => page.locator(`section#${id}`);

  beforeAll(async () => {
    f = await startDashboardFixture(0);
    await f.store.upsertReviewItem({
      key: 'name:acme',
      code: 'AMBIGUOUS_MATCH',
      flow: 'organizations',
      records: [
        { system: 'youtrack', type: 'Organization', id: 'o-1', label: 'Acme' },
        { system: 'youtrack', type: 'Group', id: 'g-1', label: 'Acme' },
        { system: 'customcrm', type: 'Customer', id: 'C-1', label: 'Acme' },
      ],
      candidates: [],
      changes: [],
      message: "the company name 'Acme' has more than one candidate",
    });
    await f.store.upsertReviewItem({
      key: 'protected:u-admin',
      code: 'PROTECTED_ACCOUNT',
      flow: 'users',
      records: [
        { system: 'youtrack', type: 'User', id: 'u-admin', label: 'Administrator' },
        { system: 'customcrm', type: 'Contact', id: 'C-9', label: 'Administrator' },
      ],
      candidates: [],
      changes: [{ row: 'banned', from: false, to: true }],
      message: 'the CRM asks to ban the protected account Administrator',
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(f.server.loginLink());
    await page.getByRole('link', { name: 'Review' }).click();
  });
  afterAll(async () => {
    await browser?.close();
    await f?.close();
  });

  it('lists review items, conflicts and quarantined records with their records and values', async () => {
    expect(await page.locator('h1').textContent()).toBe('Review');
    const [match, prot] = await f.store.listReviewItems({ status: 'open' });
    expect(await item(`r${match!.id}`).innerText()).toContain('Organization o-1 Acme');
    expect(await item(`r${prot!.id}`).innerText()).toMatch(/banned\s+false\s+true/);
    expect(await item(`c${f.seeded.conflictId}`).innerText()).toContain('keep-winner');
    expect(await item(`q${f.seeded.quarantineId}`).innerText()).toContain('not an e-mail address');
  });

  it("shows an undo's conflict with both values: today's and the one before the undone cycle", async () => {
    const c = await f.store.addConflict({
      linkId: f.seeded.ada.id,
      flow: 'users',
      property: 'email',
      winnerSide: 'customcrm',
      winnerValue: 'ada@today.example',
      loserSide: 'customcrm',
      loserValue: 'ada@before.example',
      at: '2024-06-01T11:45:00Z',
    });
    await page.reload();
    const text = await item(`c${c.id}`).innerText();
    expect(text).toContain('Before the undone cycle');
    expect(text).toMatch(/email\s+—\s+"ada@today\.example"\s+"ada@before\.example"/);
  });

  it('refuses a link without the pair, then links the chosen one', async () => {
    const [match] = await f.store.listReviewItems({ status: 'open' });
    const section = item(`r${match!.id}`);
    await section.getByRole('button', { name: 'link' }).click();
    expect(await page.locator('.error').innerText()).toMatch(/--youtrack ID|name the YouTrack record/);
    await page.goBack();
    await page.reload();
    await section.getByLabel('link Acme (Group)').check();
    await section.getByRole('button', { name: 'link' }).click();
    expect(await page.locator('.notice').innerText()).toContain('recorded');
    expect((await f.store.getReviewItem(match!.id))?.decision).toEqual({
      action: 'link',
      ytId: 'g-1',
      crmId: 'C-1',
    });
  });

  it('approves a protected change, keeps a conflict winner and retries a quarantined record', async () => {
    const prot = (await f.store.listReviewItems({ status: 'open' })).find(
      (i) => i.code === 'PROTECTED_ACCOUNT',
    )!;
    await item(`r${prot.id}`).getByRole('button', { name: 'approve' }).click();
    expect((await f.store.getReviewItem(prot.id))?.decision).toEqual({ action: 'approve' });
    await item(`c${f.seeded.conflictId}`).getByRole('button', { name: 'keep-winner' }).click();
    expect((await f.store.pendingResolutions()).map((c) => [c.id, c.status])).toEqual([
      [f.seeded.conflictId, 'kept'],
    ]);
    await item(`q${f.seeded.quarantineId}`).getByRole('button', { name: 'retry' }).click();
    expect((await f.store.listQuarantine({ status: 'quarantined' }))[0]?.retryRequested).toBe(true);
    expect(await page.content()).not.toContain(f.token);
  });

  it('keeps apart, creates, rejects and applies a loser: each recorded as the CLI records it', async () => {
    const company = (key: string, name: string) =>
      f.store.upsertReviewItem({
        key,
        code: 'AMBIGUOUS_MATCH',
        flow: 'organizations',
        records: [
          { system: 'youtrack', type: 'Organization', id: `o-${name}`, label: name },
          { system: 'customcrm', type: 'Customer', id: `C-${name}`, label: name },
        ],
        candidates: [],
        changes: [],
        message: `the company name '${name}' has more than one candidate`,
      });
    await company('name:globex', 'Globex');
    await company('name:initech', 'Initech');
    await f.store.upsertReviewItem({
      key: 'protected:u-ops',
      code: 'PROTECTED_ACCOUNT',
      flow: 'users',
      records: [{ system: 'youtrack', type: 'User', id: 'u-ops', label: 'Ops' }],
      candidates: [],
      changes: [{ row: 'banned', from: false, to: true }],
      message: 'the CRM asks to ban the protected account Ops',
    });
    const conflict = await f.store.addConflict({
      linkId: f.seeded.evil.id,
      flow: 'users',
      property: 'fullName',
      winnerSide: 'youtrack',
      winnerValue: 'Winner',
      loserSide: 'customcrm',
      loserValue: 'Loser',
      at: '2024-06-01T11:50:00Z',
    });
    const open = await f.store.listReviewItems({ status: 'open' });
    const [apart, create, ban] = ['name:globex', 'name:initech', 'protected:u-ops'].map((key) =>
      open.find((i) => i.key === key)!,
    );
    await page.reload();
    await item(`r${apart!.id}`).getByRole('button', { name: 'keep-apart' }).click();
    await item(`r${create!.id}`).getByRole('button', { name: 'create' }).click();
    await item(`r${ban!.id}`).getByRole('button', { name: 'reject' }).click();
    await item(`c${conflict.id}`).getByRole('button', { name: 'apply-loser' }).click();
    expect((await f.store.getReviewItem(apart!.id))?.decision).toEqual({ action: 'keep-apart' });
    expect((await f.store.getReviewItem(create!.id))?.decision).toEqual({ action: 'create' });
    expect((await f.store.getReviewItem(ban!.id))?.decision).toEqual({ action: 'reject' });
    const pending = await f.store.pendingResolutions();
    expect(pending.find((c) => c.id === conflict.id)?.status).toBe('applied-loser');
  });
});
