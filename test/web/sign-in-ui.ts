/**
 * Signing in through the page itself, as a person at the touchscreen does: tap a name, tap the PIN on the
 * number pad (or type the password), tap Sign in. The browser tests about sign-in, lock and the admin
 * screens use it; tests of other features may sign in through the API (test/helpers) instead.
 */
import { existsSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });

/** Taps `name` on the sign-in screen, then its PIN on the pad (digits) or its password, then Sign in. */
export async function signInByTouch(page: Page, name: string, secret: string): Promise<void> {
  await page.locator('#sign-in-names').waitFor({ state: 'visible' });
  await page.tap(`.name-btn[data-user="${name}"]`);
  await enterSecret(page, secret);
}

/** On the picked user's entry (after a name tap, or an unlock with the user preselected): the secret, then Sign in. */
export async function enterSecret(page: Page, secret: string): Promise<void> {
  await page.locator('#sign-in-entry').waitFor({ state: 'visible' });
  if (/^[0-9]+$/.test(secret) && (await page.isVisible('#pin-pad'))) {
    for (const d of secret) await page.tap(`#pin-pad [data-digit="${d}"]`);
  } else {
    await page.fill('#sign-in-password', secret);
  }
  await page.tap('#sign-in-submit');
}

/** Waits until `name` is shown as signed in and the live view is in the page. */
export async function waitSignedIn(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => document.getElementById('who-name')?.textContent?.startsWith(n) === true && !!document.getElementById('view-live') && !document.getElementById('view-live')!.hidden, name);
}

/** The tabs a signed-in user sees, by screen id. */
export const visibleTabs = (page: Page): Promise<string[]> =>
  page.$$eval('#tabs .tab', (tabs) => tabs.filter((t) => !(t as HTMLElement).hidden).map((t) => (t as HTMLElement).dataset.view ?? ''));
