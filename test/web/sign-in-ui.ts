/**
 * Signing in through the page itself, as a person at the touchscreen does: tap a name, tap the PIN on the
 * number pad (or type the password), tap Sign in. The browser tests about sign-in, lock and the admin
 * screens use it; tests of other features may sign in through the API (test/helpers) instead.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../../src/access/roles.js';
import { failSignInsBefore } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { testUi } from './test-build.js';

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

/** A browser page of the sign-in tests, on a daemon with named users, its page errors collected. */
export interface SignInRig {
  readonly d: TestDaemon;
  readonly browser: Browser;
  readonly page: Page;
  /** The page's uncaught errors (stack when there is one). */
  readonly errors: string[];
}

/**
 * Before the calling describe block's tests: a daemon serving the test build, with sign-in attempts per
 * client raised (every attempt here comes from 127.0.0.1) and `users` added, then Chromium with one touch page
 * at 1280×800 (`options` add to its context). Closes both after the block.
 */
export function signInRig(users: Array<{ name: string; role: Role; secret: string }>, options: BrowserContextOptions = {}): SignInRig {
  const rig: { d?: TestDaemon; browser?: Browser; page?: Page } = {};
  const errors: string[] = [];
  beforeAll(async () => {
    const d = await startTestDaemon(tempDir(), {}, [[['server', 'rateLimit', 'signInMax'], 200]], testUi);
    rig.d = d;
    for (const u of users) await d.runtime.access.services.users.add(u.name, u.role, u.secret);
    rig.browser = await launchChromium();
    const context = await rig.browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true, ...options });
    rig.page = await context.newPage();
    rig.page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
  }, 60_000);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.d?.close();
  });
  const set = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`The sign-in rig has no ${what}: use it inside a test of the describe block that set it up`);
    return v;
  };
  return {
    get d() {
      return set(rig.d, 'daemon');
    },
    get browser() {
      return set(rig.browser, 'browser');
    },
    get page() {
      return set(rig.page, 'page');
    },
    errors,
  };
}

/**
 * Locks `user` for the longest wait: fifteen earlier failures with `wrong` (the real schedule of
 * src/access/lockout.ts through the daemon's own SignIn, at explicit times, each once the wait before had ended)
 * and a sixteenth through the browser's own request client, anonymous as a tablet would be. Returns that answer's
 * status, code and Retry-After.
 */
export async function lockOut(d: TestDaemon, page: Page, user: string, wrong: string): Promise<{ status: number; code: string; retryAfter: string | undefined }> {
  await failSignInsBefore(d.runtime.access.services.signIn, user, wrong, 15);
  const r = await page.request.post(d.url + '/api/session', { data: { user, secret: wrong }, headers: { 'content-type': 'application/json' } });
  return { status: r.status(), code: ((await r.json()) as { code: string }).code, retryAfter: r.headers()['retry-after'] };
}

/** Signs in by touch as `name` and returns the Retry-After (seconds) of the server's answer to it. */
export async function signInByTouchRetryAfter(page: Page, d: TestDaemon, name: string, secret: string): Promise<number> {
  const answer = page.waitForResponse((res) => res.url() === `${d.url}/api/session` && res.request().method() === 'POST');
  await signInByTouch(page, name, secret);
  return Number((await answer).headers()['retry-after']);
}
