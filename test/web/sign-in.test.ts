/**
 * Sign-in on the touchscreen in a real Chromium against a real daemon (issue 17): a name and the PIN pad
 * into the live view, coded errors (a wrong PIN, a locked account saying how long), one-tap lock that takes
 * the patient data and the live canvas out of the page, switch user keeping the open exam, a 401 from the API
 * returning to sign-in with the exam kept, and role-aware tabs.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCKOUT } from '../../src/access/lockout.js';
import type { TestDaemon } from '../helpers/daemon.js';
import { enterSecret, haveChromium, lockOut, signInByTouch, signInByTouchRetryAfter, signInRig, visibleTabs, waitSignedIn } from './sign-in-ui.js';
import { ensureTestBuild } from './test-build.js';

if (!haveChromium) console.warn('Skipping browser tests: no /usr/bin/chromium (apt-get install chromium)');
beforeAll(() => ensureTestBuild(), 120_000);

const PATIENT = 'DUPONT^MARIE';
const ALICE = { name: 'Alice', pin: '482913' };
const BOB = { name: 'Bob', pin: '775120' };
const TECH = { name: 'Theo', password: 'technician-pass-1' };

describe.skipIf(!haveChromium)('sign-in, lock and switch user in Chromium', () => {
  const rig = signInRig([
    { name: ALICE.name, role: 'clinician', secret: ALICE.pin },
    { name: BOB.name, role: 'clinician', secret: BOB.pin },
    { name: TECH.name, role: 'technician', secret: TECH.password },
    { name: 'Lockme', role: 'clinician', secret: '123456' },
  ]);
  let d: TestDaemon;
  let page: Page;
  beforeAll(() => {
    ({ d, page } = rig);
  });

  it('the shell loads without a session and shows the names; no patient data, no live canvas', async () => {
    await page.goto(d.url + '/');
    await page.locator('#sign-in-names').waitFor({ state: 'visible' });
    const names = await page.$$eval('.name-btn', (b) => b.map((x) => (x as HTMLElement).dataset.user));
    expect(names).toEqual(expect.arrayContaining([ALICE.name, BOB.name, TECH.name, 'admin']));
    expect(await page.$('#frame')).toBeNull();
    expect(await page.$('#exam-summary')).toBeNull();
    expect(await page.isHidden('#who')).toBe(true);
  });

  it('a wrong PIN shows the coded message and stays on the PIN pad', async () => {
    await signInByTouch(page, ALICE.name, '000000');
    await page.waitForFunction(() => document.getElementById('sign-in-error')?.dataset.code === 'SONO_ACCESS_SIGN_IN_FAILED');
    expect(await page.textContent('#sign-in-error')).toContain('Wrong PIN or password');
    expect(await page.isVisible('#pin-pad')).toBe(true);
    expect(await page.getAttribute('#pin-dots', 'data-count')).toBe('0');
    await page.tap('#sign-in-back');
  });

  it('a locked account says how long to wait, and the right PIN does not sign in until then', async () => {
    // Lockme mistyped fifteen times over the last 17 minutes, then a 16th: the longest wait. A burst of quick
    // failures would not do: attempts refused during a wait are not counted, so ten at once lock for 1 s only,
    // which the taps below could outlast (the defect that kept this test skipped).
    expect(await lockOut(d, page, 'Lockme', '654321')).toEqual({ status: 401, code: 'SONO_ACCESS_LOCKED', retryAfter: String(LOCKOUT.maxDelayMs / 1000) });
    // the right PIN on the touchscreen: refused, and the screen says how long, from the server's Retry-After
    const retryAfterS = await signInByTouchRetryAfter(page, d, 'Lockme', '123456');
    expect(retryAfterS).toBeGreaterThan(0);
    await page.waitForFunction(() => document.getElementById('sign-in-error')?.dataset.code === 'SONO_ACCESS_LOCKED');
    expect(await page.textContent('#sign-in-error')).toContain(`Too many failed attempts: locked. Try again in ${Math.ceil(retryAfterS / 60)} min.`);
    expect(await page.isVisible('#pin-pad')).toBe(true);
    expect(await page.isHidden('#who')).toBe(true);
    expect(await page.$('#frame')).toBeNull();
    await page.tap('#sign-in-back');
  });

  it('tapping a name and the PIN opens the live view, the name always shown, clinician tabs only', async () => {
    await signInByTouch(page, ALICE.name, ALICE.pin);
    await waitSignedIn(page, ALICE.name);
    await page.waitForFunction(() => document.getElementById('conn')?.classList.contains('live'));
    expect(await page.textContent('#who-name')).toContain('Alice · clinician');
    expect(await visibleTabs(page)).toEqual(['live', 'exams', 'growth']);
    expect(await page.inputValue('#operator')).toBe(ALICE.name);
    // frames reach the canvas
    await page.waitForFunction(() => {
      const c = document.getElementById('frame') as HTMLCanvasElement;
      return c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 !== 3 && v > 0);
    });
  });

  it('one tap locks: the patient name, the exam and the live canvas leave the page; the same user unlocks into the same exam', async () => {
    await page.fill('#p-name', PATIENT);
    await page.fill('#p-id', 'LOCK-1');
    await page.tap('#start');
    await page.waitForFunction((p) => document.getElementById('exam-summary')?.textContent?.includes(p), PATIENT);
    await page.tap('#lock');
    await page.locator('#sign-in-entry').waitFor({ state: 'visible' });
    const html = await page.content();
    expect(html).not.toContain('DUPONT');
    expect(html).not.toContain('LOCK-1');
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('DUPONT');
    expect(await page.$('#frame')).toBeNull();
    expect(await page.$('#view-exams')).toBeNull();
    expect(await page.isHidden('#who')).toBe(true);
    expect(await page.textContent('#sign-in-picked')).toContain(ALICE.name); // unlocking: the last user is offered
    // the session ended on the server too
    expect((await page.evaluate(() => fetch('/api/session').then((r) => r.status)))).toBe(401);
    await enterSecret(page, ALICE.pin);
    await waitSignedIn(page, ALICE.name);
    expect(await page.textContent('#exam-summary')).toContain(PATIENT);
  });

  it('switch user: the next user signs in on top and the open exam stays', async () => {
    await page.tap('#switch-user');
    await page.locator('#sign-in-names').waitFor({ state: 'visible' });
    expect(await page.$('#exam-summary')).toBeNull();
    await signInByTouch(page, BOB.name, BOB.pin);
    await waitSignedIn(page, BOB.name);
    expect(await page.textContent('#exam-summary')).toContain(PATIENT);
    expect(await page.inputValue('#operator')).toBe(BOB.name);
    expect(await page.isVisible('#close-exam')).toBe(true);
  });

  it('a 401 from the API (the account disabled meanwhile) returns to sign-in and keeps the exam', async () => {
    // Disabled the way the CLI does it, in the store, not through the admin route: the route also tells open
    // live views at once (the next test), and the page would go back to sign-in before the tap. Here the live
    // view learns it only at its 30 s check, so the API's 401 is what sends the page back.
    d.runtime.access.services.users.disable(BOB.name);
    await page.tap('#tabs .tab[data-view="exams"]');
    await page.locator('#sign-in-names').waitFor({ state: 'visible' });
    expect(await page.textContent('#sign-in-error')).toContain('session ended');
    expect(await page.$('.name-btn[data-user="Bob"]')).toBeNull(); // disabled accounts are not offered
    await signInByTouch(page, ALICE.name, ALICE.pin);
    await waitSignedIn(page, ALICE.name);
    await page.tap('#tabs .tab[data-view="live"]');
    expect(await page.textContent('#exam-summary')).toContain(PATIENT);
  });

  it('a technician signs in with a password and sees the live view and System, not the exams', async () => {
    await page.tap('#switch-user');
    await signInByTouch(page, TECH.name, TECH.password);
    await waitSignedIn(page, TECH.name);
    const tabs = await visibleTabs(page);
    expect(tabs).toEqual(expect.arrayContaining(['live', 'system']));
    for (const hidden of ['exams', 'growth', 'users', 'tokens', 'audit']) expect(tabs).not.toContain(hidden);
    expect(rig.errors).toEqual([]);
  });

  it('an account disabled through the admin route goes back to sign-in by itself: its live view is closed at once', async () => {
    const r = await fetch(`${d.url}/api/users/${TECH.name}/disable`, { method: 'POST' });
    expect(r.status).toBe(200);
    // no tap: the daemon closes the technician's live WebSocket, the page asks who it is, gets 401 and locks
    await page.locator('#sign-in-names').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.textContent('#sign-in-error')).toContain('session ended');
    expect(await page.$(`.name-btn[data-user="${TECH.name}"]`)).toBeNull();
  });
});
