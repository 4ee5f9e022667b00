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
      await page.click('#side-left'); // a breast capture names its breast (src/protocol/laterality.ts)
      await page.waitForFunction(() => document.getElementById('b-max')?.textContent?.includes('mm'), undefined, { timeout: 30000 });
      // the cine holds a frame with a lesion result on it (what Freeze and Best frame then offer). Not the overlay's
      // 'fresh': that lasts only from a result to the next frame, and here a result comes about one frame interval
      // (125 ms at 8 fps) after its frame, more under load, so 'fresh' may never be there to see
      await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 30000 });
      await page.tap('#freeze');
      await page.tap('#best');
      await page.waitForFunction(() => (window as unknown as { sonoCalipers: () => unknown }).sonoCalipers() !== undefined, undefined, { timeout: 10000 }).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await page.evaluate(() => ({ mode: (window as unknown as { sonoMode: () => string }).sonoMode(), message: document.getElementById('action-message')!.textContent, scrub: (document.getElementById('scrub') as HTMLInputElement).value })))}`);
      });
      expect(await page.isEnabled('#confirm')).toBe(true);
      const reviewed = await page.inputValue('#scrub'); // the reviewed frame's place in the frozen cine
      // a double tap: two clicks in one task, before the first save answers
      await page.evaluate(() => {
        const b = document.getElementById('confirm') as HTMLButtonElement;
        b.click();
        b.click();
      });
      await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 15000 });
      expect(await page.textContent('#action-message')).toBe('Confirmed and saved');
      expect(await page.isDisabled('#confirm'), 'Confirm is off once saved').toBe(true);

      // back to live and freeze again, then to the saved frame: it says it is already saved, Confirm stays off. Both
      // Freeze taps in one task, so no frame comes between them and the saved frame keeps its place in the cine (a
      // frame pushed could take it out of a full cine). Not Best frame: a result that came while frozen, for a frame
      // kept from before the freeze, may rightly make another frame the best one
      await page.evaluate(() => {
        const b = document.getElementById('freeze') as HTMLButtonElement;
        b.click();
        b.click();
      });
      await page.evaluate((i) => {
        const s = document.getElementById('scrub') as HTMLInputElement;
        s.value = i;
        s.dispatchEvent(new Event('input'));
      }, reviewed);
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
