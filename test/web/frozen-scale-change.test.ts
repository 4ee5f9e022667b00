/**
 * A calibration changed while a clinician reviews a frozen frame (session-14 review, MEDIUM: "a frozen frame keeps
 * and saves the old scale without notice"). In a real Chromium against a real daemon (simulated probe): the
 * clinician freezes, measures a distance, and a technician recalibrates through the API (another tablet). The
 * frame was captured at the old scale, and its numbers and calipers were made with it; whether that scale was
 * wrong (the reason to recalibrate) or right for the frame (the scanner's depth changed) only the people there
 * know. So the frame keeps its own scale, the page says on it at once that the scale changed, and Confirm asks
 * "Save it with its own 0.xxx mm/px?": no saves nothing, yes stores the frame with the scale it was captured at
 * (the daemon's record of the frame it sent, never the one in force at saving), calipers and HC as shown.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, frameToPage, reviewBestFrame, scrubTo, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

/** Answers the next dialog (yes or no) as soon as it opens, within 10 s (a tap waits while one is open); resolves with its text. */
const answer = (page: Page, yes: boolean): Promise<string> =>
  new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error('No question was asked within 10 s')), 10_000);
    page.once('dialog', (q) => {
      clearTimeout(late);
      resolve(q.message());
      void (yes ? q.accept() : q.dismiss());
    });
  });

type Spacing = { x: number; y: number };
type ExamJson = {
  captures: Array<{ pixelSpacing: Spacing | null; measurements: Array<{ kind: string; finalValue: number | null }>; clinicianMeasurements?: Array<{ value: number; unit: string }> }>;
};
const message = (page: Page): Promise<string> => page.evaluate(() => document.getElementById('action-message')!.textContent ?? '');

describe.skipIf(!existsSync(CHROMIUM))('a calibration changed under a frozen frame', () => {
  const rig = liveRig(() => SIMULATED);

  it('says so on the frame and asks before saving it with its own scale: no saves nothing, yes stores the old scale', async () => {
    const { d, browser } = rig;
    const errors: string[] = [];
    const { context, page } = await clinicianPage(browser, d, LANDSCAPE, errors);
    const posted: number[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().includes('/captures/frame') && posted.push(r.postDataBuffer()!.readFloatLE(24)));
    await startExam(page, 'obstetric', 20);
    if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-scale');
    await reviewBestFrame(page);
    const before = ((await (await fetch(d.url + '/api/source/calibration')).json()) as { inUse: { pixelSpacing: Spacing } }).inUse.pixelSpacing;
    expect(before.x).toBeGreaterThan(0);

    // a distance of 120 frame pixels on the frozen frame, measured at its own scale
    await page.tap('#tool-distance');
    await page.waitForSelector('#tool-distance[aria-pressed="true"]', { timeout: 5000 });
    for (const x of [200, 320]) {
      const p = await frameToPage(page, x, 240);
      await page.touchscreen.tap(p.x, p.y);
    }
    await page.waitForSelector('#manual-measures li');
    expect(await page.textContent('#manual-measures li')).toBe(`D1 ${(120 * before.x).toFixed(1)} mm`);
    const hcShown = Number((await page.textContent('#hc'))!.match(/[\d.]+/)![0]);

    // a technician recalibrates the source meanwhile (another tablet: the API), 25 % larger
    const now = Math.round(before.x * 1.25 * 10000) / 10000;
    const put = await fetch(d.url + '/api/source/calibration', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pixelSpacingMm: now, override: true }) });
    expect(put.status, await put.text()).toBe(200);
    const was = `${before.x.toFixed(3)} mm/px`;
    const is = `${now.toFixed(3)} mm/px`;
    // said on the frozen frame as soon as the live frames carry the new scale, without a tap
    await page.waitForFunction(() => /Scale changed since this frame/.test(document.getElementById('action-message')!.textContent ?? ''), undefined, { timeout: 15_000 });
    expect(await message(page)).toBe(`Scale changed since this frame: it was captured at ${was}, the source is now at ${is}. Its measurements use ${was}.`);
    expect(await page.textContent('#manual-measures li')).toBe(`D1 ${(120 * before.x).toFixed(1)} mm`); // the frame's numbers keep its scale

    // Confirm asks first; no: nothing is sent, and the page says what to do
    const asked = answer(page, false);
    await page.tap('#confirm');
    expect(await asked).toBe(
      `This frame was captured at ${was}; the source is now at ${is} (calibration or depth scale changed). Save it with its own ${was}? Cancel if that scale was wrong: go live and capture a new frame.`,
    );
    await page.waitForFunction(() => /^Not saved/.test(document.getElementById('action-message')!.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(await message(page)).toBe(`Not saved: this frame keeps its ${was}. Go live and capture a new frame at ${is}.`);
    const id = ((await (await fetch(`${d.url}/api/exams`)).json()) as Array<{ id: string }>)[0]!.id;
    expect(((await (await fetch(`${d.url}/api/exams/${id}`)).json()) as ExamJson).captures).toEqual([]);
    expect(posted).toEqual([]);
    expect(await page.isEnabled('#confirm')).toBe(true); // may be saved after all

    // yes: the frame is stored with the scale it was captured at, its HC and distance as shown
    const again = answer(page, true);
    await page.tap('#confirm');
    await again;
    await page.waitForFunction(() => /^(Confirmed|Corrected)/.test(document.getElementById('action-message')!.textContent ?? ''), undefined, { timeout: 15_000 });
    const exam = (await (await fetch(`${d.url}/api/exams/${id}`)).json()) as ExamJson;
    expect(exam.captures).toHaveLength(1);
    const c = exam.captures[0]!;
    expect(c.pixelSpacing!.x).toBeCloseTo(before.x, 6);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toBeCloseTo(before.x, 6);
    expect(c.measurements.find((m) => m.kind === 'hc')!.finalValue).toBeCloseTo(hcShown, 0);
    expect(c.clinicianMeasurements).toMatchObject([{ unit: 'mm' }]);
    expect(c.clinicianMeasurements![0]!.value).toBeCloseTo(120 * before.x, 3);
    expect(errors).toEqual([]);
    await fetch(d.url + '/api/source/calibration', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clear: true }) });
    await context.close();
  });

  it('cuts a clip where the scale changed: Save clip around a frame of the new scale keeps only frames of that scale', async () => {
    const { d, browser } = rig;
    const errors: string[] = [];
    // the first raw frame the page receives at each scale, and how many (frame message: seq at byte 8, spacing x at 24)
    const firstAt = new Map<number, number>();
    const count = new Map<number, number>();
    const key = (mm: number): number => Math.round(Math.fround(mm) * 1e4) / 1e4;
    const { context, page } = await clinicianPage(browser, d, LANDSCAPE, errors, {
      beforeOpen: (p) =>
        p.on('websocket', (ws) =>
          ws.on('framereceived', (f) => {
            const b = f.payload;
            if (typeof b === 'string' || b.length < 44 || b.readUInt16LE(4) > 40) return; // text, or an enhanced frame
            const mm = key(b.readFloatLE(24));
            if (!firstAt.has(mm)) firstAt.set(mm, b.readUInt32LE(8));
            count.set(mm, (count.get(mm) ?? 0) + 1);
          }),
        ),
    });
    await startExam(page, 'obstetric', 20);
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 30_000 });
    const before = ((await (await fetch(d.url + '/api/source/calibration')).json()) as { inUse: { pixelSpacing: Spacing } }).inUse.pixelSpacing.x;
    const now = Math.round(before * 1.25 * 10000) / 10000;
    const put = await fetch(d.url + '/api/source/calibration', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pixelSpacingMm: now, override: true }) });
    expect(put.status, await put.text()).toBe(200);
    // ten frames at the new scale, then freeze on the newest: the cine holds frames of both
    await expect.poll(() => count.get(key(now)) ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(10);
    const firstNew = firstAt.get(key(now))!;
    await page.tap('#freeze');
    await page.waitForSelector('#save-clip:not([disabled])');
    await scrubTo(page, Number(await page.getAttribute('#scrub', 'max')));
    expect(firstAt.get(key(before))).toBeLessThan(firstNew); // the cine began at the old scale
    await page.tap('#save-clip');
    await page.waitForFunction(() => /\b(ok|error)\b/.test(document.getElementById('clip-message')!.className), undefined, { timeout: 15_000 });
    expect(await page.textContent('#clip-message')).toMatch(/^Clip saved/);
    const id = ((await (await fetch(`${d.url}/api/exams`)).json()) as Array<{ id: string }>)[0]!.id;
    const clips = (await (await fetch(`${d.url}/api/exams/${id}/clips`)).json()) as Array<{ firstSeq: number; frameCount: number }>;
    expect(clips).toHaveLength(1);
    expect(clips[0]!.firstSeq).toBeGreaterThanOrEqual(firstNew);
    expect(errors).toEqual([]);
    await fetch(d.url + '/api/source/calibration', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ clear: true }) });
    await context.close();
  });
});
