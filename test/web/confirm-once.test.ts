/**
 * Confirm saves once (issue 18): Confirm stayed enabled after saving, a double tap stored two captures, and
 * re-freezing offered (and stored) a frame already saved. Now Confirm is off while saving and after, each
 * frame goes with one Idempotency-Key, and a frame already saved says so. A breast Confirm records no
 * decision on the AI class and malignancy probability (the screen offers no way to disagree with them).
 */
import { describe, expect, it } from 'vitest';
import { breastMissing, breastReplayConfig, replayFolder } from './breast-replay.js';
import { clinicianPage } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';

describe.skipIf(breastMissing.length > 0)('Confirm saves once', () => {
  const rig = liveRig(async () => breastReplayConfig(await replayFolder()));

  for (const viewport of [{ width: 1280, height: 800 }, { width: 820, height: 1180 }]) {
    it(`double tap, disabled after saving, re-frozen frame not stored again, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors, { consoleErrors: false });
      await page.selectOption('#exam-type', 'breast');
      if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-once');
      await page.click('#start');
      await page.waitForFunction(() => document.getElementById('b-max')?.textContent?.includes('mm'), undefined, { timeout: 30000 });
      // a lesion drawn on its own frame: the cine holds a frame with its result (results can come before the page has their frame)
      await page.waitForFunction(() => document.getElementById('frame')!.dataset.overlay === 'fresh' && document.getElementById('b-max')!.textContent!.includes('mm'), undefined, { timeout: 30000 });
      await page.tap('#freeze');
      await page.tap('#best');
      await page.waitForFunction(() => (window as unknown as { sonoCalipers: () => unknown }).sonoCalipers() !== undefined, undefined, { timeout: 10000 }).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await page.evaluate(() => ({ mode: (window as unknown as { sonoMode: () => string }).sonoMode(), message: document.getElementById('action-message')!.textContent, scrub: (document.getElementById('scrub') as HTMLInputElement).value })))}`);
      });
      expect(await page.isEnabled('#confirm')).toBe(true);
      // a double tap: two clicks in one task, before the first save answers
      await page.evaluate(() => {
        const b = document.getElementById('confirm') as HTMLButtonElement;
        b.click();
        b.click();
      });
      await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 15000 });
      expect(await page.textContent('#action-message')).toBe('Confirmed and saved');
      expect(await page.isDisabled('#confirm'), 'Confirm is off once saved').toBe(true);

      // back to live and freeze again: the same best frame is offered as already saved, Confirm stays off
      await page.tap('#freeze');
      await page.tap('#freeze');
      await page.tap('#best');
      await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== 'Confirmed and saved', undefined, { timeout: 10000 });
      expect(await page.textContent('#action-message')).toBe('This frame is already saved to the exam');
      expect(await page.isDisabled('#confirm')).toBe(true);

      const exams = (await (await fetch(rig.d.url + '/api/exams')).json()) as Array<{ id: string }>;
      type M = { kind: string; state: string };
      const exam = (await (await fetch(`${rig.d.url}/api/exams/${exams[0]!.id}`)).json()) as { captures: Array<{ measurements: M[] }> };
      expect(exam.captures, 'one capture stored').toHaveLength(1);
      const ms = exam.captures[0]!.measurements;
      for (const k of ['lesion_class', 'malignancy_probability']) expect(ms.find((m) => m.kind === k)?.state, k).toBe('unverified');
      expect(ms.find((m) => m.kind === 'lesion_max_diameter')?.state).toBe('confirmed');
      await page.tap('#freeze');
      await page.click('#close-exam');
      await page.click('#close-yes'); // Close asks first (issue 18)
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
