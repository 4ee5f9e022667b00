/**
 * The sign-in screen in French, in a real Chromium against a real daemon (issue 17: "English and French like
 * the rest"): switched with the page's own language menu, the names list, the PIN pad, the password entry and
 * the coded errors (a wrong PIN, a locked account saying how long) read in French with no English left; an
 * error already on screen follows a language switch, both ways.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessEn, accessFr } from '../../web-ui/src/access/strings.js';
import type { TestDaemon } from '../helpers/daemon.js';
import { haveChromium, lockOut, signInByTouch, signInByTouchRetryAfter, signInRig, waitSignedIn } from './sign-in-ui.js';
import { ensureTestBuild } from './test-build.js';

if (!haveChromium) console.warn('Skipping browser tests: no /usr/bin/chromium (apt-get install chromium)');
beforeAll(() => ensureTestBuild(), 120_000);

const ALICE = { name: 'Alice', pin: '482913' };
const TECH = { name: 'Theo', password: 'technician-pass-1' };

/** Every English access string that differs from its French one, as a whole-word pattern (placeholders cut off). */
const ENGLISH = Object.entries(accessEn)
  .filter(([k, en]) => en !== accessFr[k as keyof typeof accessFr])
  .map(([, en]) => en.split('{')[0]!.trim())
  .map((en) => ({ en, re: new RegExp(`(^|[^\\p{L}])${en.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^\\p{L}]|$)`, 'u') }));

/** The English strings visible anywhere on the page (innerText leaves hidden elements out). */
async function englishLeft(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => document.body.innerText);
  return ENGLISH.filter(({ re }) => re.test(text)).map(({ en }) => en);
}

const errorCode = (page: Page, code: string): Promise<unknown> => page.waitForFunction((c) => document.getElementById('sign-in-error')?.dataset.code === c, code);
const errorText = (page: Page, text: string): Promise<unknown> => page.waitForFunction((s) => document.getElementById('sign-in-error')?.textContent?.startsWith(s) === true, text);

describe.skipIf(!haveChromium)('the sign-in screen in French in Chromium', () => {
  // an English browser: the page starts in English, and French is picked from its own menu
  const rig = signInRig(
    [
      { name: ALICE.name, role: 'clinician', secret: ALICE.pin },
      { name: TECH.name, role: 'technician', secret: TECH.password },
      { name: 'Lockme', role: 'clinician', secret: '123456' },
    ],
    { locale: 'en-GB' },
  );
  let d: TestDaemon;
  let page: Page;
  beforeAll(() => {
    ({ d, page } = rig);
  });

  it('a wrong-PIN error already on screen turns French when French is picked, with its code kept', async () => {
    await page.goto(d.url + '/');
    await signInByTouch(page, ALICE.name, '000000');
    await errorCode(page, 'SONO_ACCESS_SIGN_IN_FAILED');
    expect(await page.textContent('#sign-in-error')).toBe(`${accessEn.errWrongSecret} SONO_ACCESS_SIGN_IN_FAILED`);
    await page.selectOption('#lang', 'fr');
    await errorText(page, accessFr.errWrongSecret);
    expect(await page.textContent('#sign-in-error')).toBe('Code ou mot de passe erroné. Réessayez. SONO_ACCESS_SIGN_IN_FAILED');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
  });

  it('the PIN entry reads in French: title, picked user and role, prompt, pad keys, buttons; no English left', async () => {
    expect(await page.textContent('#view-sign-in h2')).toBe('Se connecter');
    expect(await page.textContent('#sign-in-picked')).toBe('Alice · soignant');
    expect(await page.textContent('.sign-in-prompt')).toBe('Saisissez votre code');
    expect(await page.$$eval('#pin-pad .pin-key', (keys) => keys.map((k) => k.textContent))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', 'Effacer tout', '0', 'Effacer']);
    expect(await page.textContent('#sign-in-submit')).toBe('Se connecter');
    expect(await page.textContent('#sign-in-back')).toBe('Autre utilisateur');
    expect(await page.textContent('label.lang span')).toBe('Langue');
    expect(await englishLeft(page)).toEqual([]);
  });

  it('the names list reads in French, each role translated; no English left', async () => {
    await page.tap('#sign-in-back');
    await page.locator('#sign-in-names').waitFor({ state: 'visible' });
    expect(await page.textContent('#view-sign-in h2')).toBe('Qui êtes-vous ?');
    expect(await page.textContent('#sign-in-error')).toBe('');
    const roles = await page.$$eval('.name-btn', (bs) => Object.fromEntries(bs.map((b) => [(b as HTMLElement).dataset.user, b.querySelector('small')?.textContent])));
    expect(roles).toEqual({ admin: 'administrateur', [ALICE.name]: 'soignant', [TECH.name]: 'technicien', Lockme: 'soignant' });
    expect(await englishLeft(page)).toEqual([]);
  });

  it('a technician is asked for the password in French', async () => {
    await page.tap(`.name-btn[data-user="${TECH.name}"]`);
    await page.locator('#sign-in-password').waitFor({ state: 'visible' });
    expect(await page.textContent('.sign-in-prompt')).toBe('Saisissez votre mot de passe');
    expect(await page.textContent('#sign-in-picked')).toBe('Theo · technicien');
    expect(await page.isHidden('#pin-pad')).toBe(true);
    expect(await englishLeft(page)).toEqual([]);
    await page.tap('#sign-in-back');
  });

  it('a locked account says how long in French, and the message follows a switch to English and back', async () => {
    // fifteen earlier failures (the real lockout schedule, explicit times) and a sixteenth: locked for the longest wait
    expect(await lockOut(d, page, 'Lockme', '654321')).toMatchObject({ status: 401, code: 'SONO_ACCESS_LOCKED' });
    const minutes = Math.ceil((await signInByTouchRetryAfter(page, d, 'Lockme', '123456')) / 60);
    expect(minutes).toBeGreaterThan(0);
    await errorCode(page, 'SONO_ACCESS_LOCKED');
    const french = `Trop d’échecs : compte bloqué. Réessayez dans ${minutes} min.`;
    expect(await page.textContent('#sign-in-error')).toBe(`${french} SONO_ACCESS_LOCKED`);
    expect(await englishLeft(page)).toEqual([]);
    await page.selectOption('#lang', 'en');
    await errorText(page, `Too many failed attempts: locked. Try again in ${minutes} min.`);
    expect(await page.textContent('.sign-in-prompt')).toBe('Enter your PIN');
    expect(await page.textContent('#sign-in-picked')).toBe('Lockme · clinician');
    await page.selectOption('#lang', 'fr');
    await errorText(page, french);
    expect(await page.textContent('#sign-in-error')).toBe(`${french} SONO_ACCESS_LOCKED`);
    expect(await englishLeft(page)).toEqual([]);
    await page.tap('#sign-in-back');
  });

  it('the right PIN in French opens the live view, the signed-in name shown', async () => {
    await signInByTouch(page, ALICE.name, ALICE.pin);
    await waitSignedIn(page, ALICE.name);
    expect(await page.isHidden('#view-sign-in')).toBe(true);
    expect(rig.errors).toEqual([]);
  });
});
