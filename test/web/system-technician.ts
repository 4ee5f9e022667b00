/** Opening the page signed in as a technician in a real Chromium, for the System, Models and Region screens' tests. */
import type { Browser, Page } from 'playwright-core';
import { SECRETS } from '../helpers/auth.js';
import { signInByTouch, waitSignedIn } from './sign-in-ui.js';

export { CHROMIUM, haveChromium, launchChromium } from './sign-in-ui.js';

/**
 * A new page signed in through the sign-in screen as the technician `name` (made with SECRETS.technician),
 * then opened on the screen `tab` (its data-view). Uncaught page errors are collected in `errors`.
 */
export async function openAsTechnician(browser: Browser, url: string, name: string, tab: string, viewport = { width: 1280, height: 800 }): Promise<Page & { errors: string[] }> {
  const context = await browser.newContext({ viewport, hasTouch: true });
  const page = Object.assign(await context.newPage(), { errors: [] as string[] });
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(url + '/');
  try {
    await signInByTouch(page, name, SECRETS.technician);
    await waitSignedIn(page, name);
  } catch (err) {
    const shown = await page.evaluate(() => document.body.innerText.slice(0, 400)).catch(() => '');
    throw new Error(`Signing in as ${name} failed (${(err as Error).message.split('\n')[0]}); page errors: ${JSON.stringify(page.errors)}; page shows: ${shown}`, { cause: err });
  }
  await page.click(`#tabs .tab[data-view="${tab}"]`, { timeout: 20_000 });
  return page;
}
