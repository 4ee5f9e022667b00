/**
 * First start and auto-lock in a real Chromium (issue 17): with no account, the sign-in screen offers the
 * first administrator's form; from the device itself (loopback) it creates the account and opens the live
 * view. With access.autoLockMinutes set tiny (0.05 min = 3 s) the page locks by itself after that long
 * without a touch: patient data and the canvas leave the page and the session ends on the server.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium } from './sign-in-ui.js';
import { ensureTestBuild, testUi } from './test-build.js';

beforeAll(() => ensureTestBuild(), 120_000);

describe.skipIf(!haveChromium)('first administrator and auto-lock in Chromium', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // anonymous: the daemon starts with no account at all, as on a fresh data directory
    d = await startTestDaemon(tempDir(), {}, [[['access', 'autoLockMinutes'], 0.05]], { ...testUi, anonymous: true });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true })).newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('creates the first administrator from the device and opens the live view', async () => {
    expect(d.runtime.access.services.users.count()).toBe(0);
    await page.goto(d.url + '/');
    await page.locator('#setup-form').waitFor({ state: 'visible' });
    expect(await page.$$('.name-btn')).toHaveLength(0);
    // the page may lock itself 3 s after this sign-in: record that it was signed in, whatever comes after
    await page.evaluate(() => {
      const w = window as unknown as { seenSignedIn?: string };
      new MutationObserver(() => {
        const text = document.getElementById('who-name')?.textContent ?? '';
        if (text && document.getElementById('view-live')) w.seenSignedIn ??= text;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.fill('#setup-name', 'Chief');
    await page.fill('#setup-password', 'chief-password-1');
    await page.fill('#setup-repeat', 'chief-password-1');
    await page.tap('#setup-create');
    await page.waitForFunction(() => (window as unknown as { seenSignedIn?: string }).seenSignedIn !== undefined);
    expect(await page.evaluate(() => (window as unknown as { seenSignedIn: string }).seenSignedIn)).toContain('Chief');
    const chief = d.runtime.access.services.users.find('Chief');
    expect(chief?.role).toBe('admin');
  });

  it('locks by itself after the configured idle time: patient data and canvas gone, session ended', async () => {
    // no touch from here: the 3 s idle timer runs out
    await page.locator('#sign-in-entry').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.textContent('#sign-in-picked')).toContain('Chief');
    expect(await page.$('#frame')).toBeNull();
    expect(await page.$('#exam-summary')).toBeNull();
    expect(await page.isHidden('#who')).toBe(true);
    expect(await page.evaluate(() => fetch('/api/session').then((r) => r.status))).toBe(401);
    const rows = d.runtime.access.services.audit.list({ action: 'session.' });
    expect(rows.map((r) => r.action)).toContain('session.sign-out');
  });
});
