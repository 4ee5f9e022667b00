/**
 * The exam form follows the language at once, in Chromium against a real daemon: its strings were applied by a
 * change listener registered before the one that sets the language, so choosing Français left the form in
 * English and choosing English again put it in French (one change late, until a reload).
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

/** The exam form's start and close buttons, as shown. */
const formButtons = (page: Page): Promise<string[]> => page.evaluate(() => ['start', 'close-yes'].map((id) => document.getElementById(id)!.textContent ?? ''));

describe.skipIf(!existsSync(CHROMIUM))('the exam form changes language with the selector, not one change later', () => {
  const rig = liveRig(() => SIMULATED);

  it('Français, then English again: the form says each at once', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await page.waitForSelector('#lang');
    await page.selectOption('#lang', 'en');
    expect(await formButtons(page)).toEqual(['Start exam', 'Close exam']);
    // change listeners run as the selector changes: no wait, the form must already read the new language
    await page.selectOption('#lang', 'fr');
    expect(await formButtons(page)).toEqual(['Commencer', "Clore l'examen"]);
    await page.selectOption('#lang', 'en');
    expect(await formButtons(page)).toEqual(['Start exam', 'Close exam']);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
