/**
 * The exam summary beside the live view ("patient · N captures") follows the language at once, in Chromium
 * against a real daemon. It carried data-i18n="noExam" from the page's markup, so a change of language wrote
 * "Aucun examen en cours" over an open exam's summary (and English "No exam in progress" back), until the next
 * save redrew it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

describe.skipIf(!existsSync(CHROMIUM))('the exam summary changes language with the selector', () => {
  const rig = liveRig(() => SIMULATED);

  it('an open exam: Français, then English again, the summary names the exam in each', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await page.waitForSelector('#lang');
    await page.selectOption('#lang', 'en');
    const summary = (): Promise<string> => page.evaluate(() => document.getElementById('exam-summary')!.textContent ?? '');
    expect(await summary()).toBe('No exam in progress');
    await page.selectOption('#exam-type', 'obstetric');
    await page.fill('#p-id', 'LANG-1');
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    expect(await summary()).toBe('LANG-1 · 0 captures');
    // change listeners run as the selector changes: no wait, the summary must already read the new language
    await page.selectOption('#lang', 'fr');
    expect(await summary()).toBe('LANG-1 · 0 capture'); // French: 0 takes the singular
    await page.selectOption('#lang', 'en');
    expect(await summary()).toBe('LANG-1 · 0 captures');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
