/**
 * The clinician's own calipers are part of the record (issue 18), in Chromium with touch at 1280×800 against a
 * real daemon (simulated probe): a distance measured on the frame under review is saved with the capture on
 * Confirm, the daemon keeps the value it recomputed from the points (the one the page showed), and the exam
 * record view lists it with who measured it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, frameToPage, reviewBestFrame, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

type Manual = { kind: string; n: number; points: number[][]; value: number; unit: string; by: string | null };
type ExamJson = { id: string; captures: Array<{ id: string; clinicianMeasurements?: Manual[] }> };

describe.skipIf(!existsSync(CHROMIUM))("the clinician's calipers are saved with the capture", () => {
  const rig = liveRig(() => SIMULATED);

  it('measures a distance in review, confirms, and finds it in the exam record view', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-cal');
    await reviewBestFrame(page);

    // a distance of 120 frame pixels across the frame's middle
    const size = await page.evaluate(() => {
      const c = document.getElementById('frame') as HTMLCanvasElement;
      return { w: c.width, h: c.height };
    });
    const [x1, x2, y] = [Math.round(size.w / 2) - 60, Math.round(size.w / 2) + 60, Math.round(size.h / 2)];
    await page.tap('#tool-distance');
    await page.waitForSelector('#tool-distance[aria-pressed="true"]', { timeout: 5000 }); // the tap's click has landed
    for (const x of [x1, x2]) {
      const p = await frameToPage(page, x, y);
      await page.touchscreen.tap(p.x, p.y);
    }
    await page.waitForSelector('#manual-measures li');
    const shown = (await page.textContent('#manual-measures li'))!;
    const [, value] = shown.match(/^D1 ([\d.]+) mm$/)!;

    expect(await page.isEnabled('#confirm')).toBe(true);
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 15000 });
    expect(await page.textContent('#action-message')).toMatch(/^(Confirmed|Corrected)/);

    // the record keeps the distance: its points in frame pixels, the value the daemon recomputed, who measured it
    const id = ((await (await fetch(`${rig.d.url}/api/exams`)).json()) as Array<{ id: string }>)[0]!.id;
    const exam = (await (await fetch(`${rig.d.url}/api/exams/${id}`)).json()) as ExamJson;
    expect(exam.captures).toHaveLength(1);
    const saved = exam.captures[0]!.clinicianMeasurements!;
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ kind: 'distance', n: 1, unit: 'mm', by: 'clinician' });
    expect(saved[0]!.points.map((p) => p.map(Math.round))).toEqual([
      [x1, y],
      [x2, y],
    ]);
    expect(saved[0]!.value.toFixed(1)).toBe(value);

    // a second distance measured after the save: Confirm comes back, and the same capture keeps both
    await page.tap('#tool-distance');
    await page.waitForSelector('#tool-distance[aria-pressed="true"]', { timeout: 5000 });
    for (const yy of [y - 40, y + 40]) {
      const p = await frameToPage(page, x1, yy);
      await page.touchscreen.tap(p.x, p.y);
    }
    await page.waitForFunction(() => document.querySelectorAll('#manual-measures li').length === 2);
    await page.waitForSelector('#confirm:not([disabled])', { timeout: 5000 });
    await page.evaluate(() => (document.getElementById('action-message')!.textContent = ''));
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 15000 });
    const both = ((await (await fetch(`${rig.d.url}/api/exams/${id}`)).json()) as ExamJson).captures;
    expect(both).toHaveLength(1);
    expect(both[0]!.clinicianMeasurements!.map((m) => m.n)).toEqual([1, 2]);

    // and the exam record view lists them beside the AI's measurements
    await page.tap('#tabs .tab[data-view="exams"]');
    await page.waitForSelector(`#exam-rows tr[data-exam-id="${id}"]`);
    await page.tap(`#exam-rows tr[data-exam-id="${id}"]`);
    const row = `table[data-capture-id="${exam.captures[0]!.id}"] tr[data-kind="manual_distance"]`;
    await page.waitForSelector(row, { timeout: 10000 });
    expect(await page.locator(row).count()).toBe(2);
    const cells = await page.locator(row).first().locator('td').allTextContents();
    expect(cells[0]).toContain('D1');
    expect(cells[2]).toBe(`${value} mm`);
    expect(cells[4]).toBe('clinician');
    expect(await page.locator(`table[data-capture-id="${exam.captures[0]!.id}"] tr[data-kind="hc"]`).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
