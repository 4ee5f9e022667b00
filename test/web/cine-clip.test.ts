/**
 * Issue 18, image review: "saving a short cine clip to the exam". In Chromium with touch at 1280×800 and
 * 820×1180, on the simulated probe: freeze, tap Save clip, the page says the clip is saved (beside the button)
 * and the daemon holds one clip of the cine's frames; a second tap on the same clip stores nothing more and
 * says so; the button and Confirm stay in view; the exam's record lists the clip; the button speaks French
 * when the page does.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { VIEWPORTS, clinicianPage, mode, notSeen, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

interface ClipDto {
  id: string;
  frameCount: number;
  firstSeq: number;
  lastSeq: number;
}

/** The clip answer's tone and text once it is no longer "saving". */
async function clipAnswer(page: Page, line: string): Promise<{ tone: string; text: string }> {
  await page.waitForFunction((sel) => {
    const m = document.querySelector(sel)!;
    return m.classList.contains('ok') || m.classList.contains('error');
  }, line);
  return page.evaluate((sel) => {
    const m = document.querySelector(sel)!;
    return { tone: m.className, text: m.textContent ?? '' };
  }, line);
}

describe.skipIf(!existsSync(CHROMIUM))('Save clip on a frozen cine', () => {
  const rig = liveRig(() => SIMULATED);

  for (const viewport of VIEWPORTS) {
    it(`freeze, tap Save clip, one clip saved, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors);
      await startExam(page, 'obstetric', 26);
      const exams = (await (await context.request.get(`${rig.d.url}/api/exams`)).json()) as Array<{ id: string }>;
      const examId = exams[0]!.id;
      const clips = async (): Promise<ClipDto[]> => (await (await context.request.get(`${rig.d.url}/api/exams/${examId}/clips`)).json()) as ClipDto[];
      expect(await page.isDisabled('#save-clip'), 'live: nothing to save yet').toBe(true);

      await page.tap('#freeze');
      await page.waitForFunction(() => (window as unknown as { sonoMode: () => string }).sonoMode() !== 'live');
      await page.waitForFunction(() => !(document.getElementById('save-clip') as HTMLButtonElement).disabled);
      for (const sel of ['#save-clip', '#confirm', '#measurements', '#state']) expect(await notSeen(page, sel), `frozen: ${sel}`).toBe('');
      const kept = Number(await page.getAttribute('#scrub', 'max')) + 1;
      const shown = Number(await page.inputValue('#scrub'));

      await page.tap('#save-clip');
      const line = '#clip-message';
      const first = await clipAnswer(page, line);
      expect(first.tone, first.text).toContain('ok');
      expect(first.text).toMatch(/^Clip saved to the exam: \d+ frames, [\d.]+ s$/);
      expect(await notSeen(page, line)).toBe('');
      const saved = await clips();
      expect(saved).toHaveLength(1);
      // up to 90 frames (3 s at 30 fps) around the frame shown; the simulated probe keeps one size, so the whole run fits
      expect(saved[0]!.frameCount).toBe(Math.min(90, kept));
      expect(first.text).toContain(`${saved[0]!.frameCount} frames`);
      expect(await mode(page)).not.toBe('live');
      expect(Number(await page.inputValue('#scrub'))).toBe(shown);

      // the same clip again: nothing more stored, and the page says so
      await page.tap('#save-clip');
      await page.waitForFunction((sel) => document.querySelector(sel)!.textContent === 'This clip is already saved to the exam', line);
      expect((await clips()).map((c) => c.id)).toEqual([saved[0]!.id]);

      // going live ends the review: the button goes off and its message is cleared
      await page.tap('#freeze');
      await page.waitForFunction(() => (document.getElementById('save-clip') as HTMLButtonElement).disabled);
      expect(await page.textContent('#clip-message')).toBe('');
      // the exam's record lists the clip
      await page.tap('#tabs .tab[data-view="exams"]');
      await page.waitForSelector(`#exam-rows tr[data-exam-id="${examId}"]`);
      await page.tap(`#exam-rows tr[data-exam-id="${examId}"]`);
      await page.waitForSelector(`#record-clips li[data-clip-id="${saved[0]!.id}"]`);
      expect(await page.textContent('#record-clips li')).toContain(`${saved[0]!.frameCount} frames · `);
      await page.tap('#tabs .tab[data-view="live"]');
      await page.selectOption('#lang', 'fr');
      expect(await page.textContent('#save-clip')).toBe('Enregistrer le clip');
      expect(errors).toEqual([]);
      await context.close();
    }, 90_000);
  }
});
