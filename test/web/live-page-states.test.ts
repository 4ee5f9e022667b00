/**
 * States a clinician can read (issue 18), in Chromium at 1280×800 and 820×1180 with touch:
 * - the AI proposal's state is written on the image itself (unverified, then saved), not only in the panel;
 * - the live HC centile far out of range (simulated head of 175 mm at a dating GA of 26 weeks: z ≈ −7.4) is
 *   flagged in the alert colour and in words, not shown as a plain number;
 * - the answer to Confirm appears right under the Confirm button in the success colour;
 * - when the source stops, the numbers left on the panel are greyed (and said to be from before);
 * - with no breast-lesion model installed, the breast panel says so plainly instead of dashes and pre-filled
 *   category selectors.
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { tempDir } from '../helpers/tmp.js';
import { CHROMIUM, MODELS } from './breast-replay.js';
import { VIEWPORTS, clinicianPage, countColour, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

const WARN: [number, number, number] = [251, 191, 36];
const OK: [number, number, number] = [52, 211, 153];
const TOP_RIGHT = { x0: 0.55, y0: 0, x1: 1, y1: 0.12 };
const colourOf = (page: Page, sel: string): Promise<string> => page.$eval(sel, (el) => getComputedStyle(el).color);

describe.skipIf(!existsSync(CHROMIUM))('live states: on the image, centile flag, answers beside Confirm, signal lost', () => {
  const rig = liveRig(() => SIMULATED);

  for (const viewport of VIEWPORTS) {
    it(`unverified on the image, HC centile flagged at 26 weeks, saved said beside Confirm, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors);
      await startExam(page, 'obstetric', 26);
      // the live centile: far below the 3rd at 26 weeks, flagged in colour and words
      await page.waitForFunction(() => document.getElementById('centile')!.classList.contains('out-of-range'), undefined, { timeout: 20000 });
      expect(await page.textContent('#centile .flag-words')).toBe('below the 3rd centile');
      expect(await page.textContent('#centile .centile-value')).toMatch(/^⚠ 0 \(z −[5-9]\.\d\d\)$/);
      expect(await colourOf(page, '#centile')).toBe('rgb(248, 113, 113)');
      expect(await page.isVisible('#centile .flag-words')).toBe(true);
      // live: the overlay on its own frame carries "AI · UNVERIFIED" in the warning colour, top right
      // a kept frame with a result to review (what Freeze and Best frame offer); not the overlay's 'fresh', which lasts
      // only from a result to the next frame and is never there when a result comes after it (under load)
      await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
      await page.tap('#freeze');
      await page.tap('#best');
      await page.waitForFunction(() => document.getElementById('frame')!.dataset.overlay === 'review');
      expect(await page.getAttribute('#frame', 'data-label')).toBe('unverified');
      expect(await countColour(page, WARN, TOP_RIGHT)).toBeGreaterThan(100);
      expect(await countColour(page, OK, TOP_RIGHT)).toBeLessThan(20);
      // Confirm: "saved" replaces it on the image; the answer shows right under Confirm, in the success colour
      await page.tap('#confirm');
      await page.waitForFunction(() => document.getElementById('frame')!.dataset.label === 'saved', undefined, { timeout: 15000 });
      expect(await countColour(page, OK, TOP_RIGHT)).toBeGreaterThan(100);
      expect(await page.textContent('#action-message')).toBe('Confirmed and saved');
      expect(await colourOf(page, '#action-message')).toBe('rgb(52, 211, 153)');
      const gap = await page.evaluate(() => document.getElementById('action-message')!.getBoundingClientRect().top - document.getElementById('confirm')!.getBoundingClientRect().bottom);
      expect(gap).toBeGreaterThanOrEqual(0);
      expect(gap).toBeLessThan(24);
      await page.tap('#freeze'); // live again
      expect(errors).toEqual([]);
      await context.close();
    }, 90_000);
  }

  it('the source stops: the numbers left on the panel are greyed, and come back in colour never', async () => {
    const { context, page } = await clinicianPage(rig.browser, rig.d, VIEWPORTS[0]);
    await startExam(page, 'obstetric', 26);
    expect(await page.isHidden('#stale')).toBe(true);
    expect(await colourOf(page, '#hc')).toBe('rgb(229, 237, 245)');
    await rig.d.runtime.pipeline.source!.stop();
    await page.waitForFunction(() => !document.getElementById('stale')!.hidden, undefined, { timeout: 10000 });
    await page.waitForFunction(() => document.getElementById('panel')!.classList.contains('signal-lost'));
    expect(await page.textContent('#hc')).toMatch(/mm$/); // the last numbers stay, greyed
    expect(await colourOf(page, '#hc')).toBe('rgb(139, 155, 176)');
    expect(await colourOf(page, '#centile')).toBe('rgb(139, 155, 176)'); // the alert colour too
    expect(await page.$eval('#hc', (el) => getComputedStyle(el).opacity)).toBe('0.5');
    expect(await page.getAttribute('#panel', 'title')).toBe('no live signal · numbers from before');
    await context.close();
  }, 60_000);
});

describe.skipIf(!existsSync(CHROMIUM) || !existsSync(join(MODELS, 'fetal-head', 'manifest.json')))('a model that is not installed is said plainly', () => {
  const rig = liveRig(() => {
    // a models folder with the fetal-head package only: no breast-lesion
    const models = join(tempDir(), 'models');
    mkdirSync(models, { recursive: true });
    symlinkSync(join(MODELS, 'fetal-head'), join(models, 'fetal-head'));
    return { modelsDir: models, models: [{ id: 'fetal-head' }] };
  });

  for (const viewport of VIEWPORTS) {
    it(`breast exam without the breast-lesion model, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors);
      await page.waitForFunction(() => document.getElementById('hc')?.textContent?.includes('mm'), undefined, { timeout: 20000 });
      expect(await page.isHidden('#model-missing')).toBe(true); // fetal-head is installed
      await page.selectOption('#exam-type', 'breast');
      await page.waitForSelector('#model-missing', { state: 'visible' });
      expect(await page.textContent('#model-missing')).toBe(
        'No breast-lesion model is installed on this device: the AI gives no findings for this exam type. Measure with the calipers; a technician can install it (Models).',
      );
      expect(await page.isHidden('#breast-measurements')).toBe(true); // no dashes, no pre-filled orientation and margin
      expect(await page.isHidden('#b-orient')).toBe(true);
      expect(await page.isHidden('#findings')).toBe(true);
      await page.selectOption('#lang', 'fr');
      expect(await page.textContent('#model-missing')).toMatch(/^Aucun modèle breast-lesion n'est installé/);
      await page.selectOption('#lang', 'en');
      await page.selectOption('#exam-type', 'obstetric');
      expect(await page.isHidden('#model-missing')).toBe(true);
      expect(await page.isVisible('#measurements')).toBe(true);
      expect(errors).toEqual([]);
      mkdirSync(join(packageRoot(), 'test-artifacts'), { recursive: true });
      await context.close();
    }, 60_000);
  }
});
