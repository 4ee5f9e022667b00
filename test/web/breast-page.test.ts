/**
 * The breast exam flow in a real Chromium against a real daemon: the lesion model runs beside the
 * fetal-head model on replayed BUSI images, the clinician picks the breast exam type, freezes, drags a
 * caliper end with touch, changes the margin, confirms; the record holds the AI and the corrected values.
 * Runs the page's test build (test-build.ts), needs /usr/bin/chromium, the breast-lesion model and ../shared/data/busi.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { breastMissing, breastReplayConfig, pushOutlineByTouch, replayFolder } from './breast-replay.js';
import { LANDSCAPE, clinicianPage } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';
import { touchDrag } from './touch.js';

const missing = breastMissing;
if (missing.length) console.warn(`Skipping the breast exam browser test: ${missing.join('; ')}`);

describe.skipIf(missing.length > 0)('breast exam in Chromium', () => {
  const artifacts = join(packageRoot(), 'test-artifacts');
  const rig = liveRig(async () => {
    mkdirSync(artifacts, { recursive: true });
    return breastReplayConfig(await replayFolder());
  });

  it('exam type breast: lesion overlay and numbers, caliper dragged by touch, margin changed, confirmed into the record', async () => {
    const { d } = rig;
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, d, LANDSCAPE, errors); // scanning and deciding are clinician work
    await page.selectOption('#exam-type', 'breast');
    expect(await page.isHidden('#measurements')).toBe(true);
    expect(await page.isVisible('#breast-measurements')).toBe(true);
    expect(await page.inputValue('#operator')).toBe('clinician'); // the signed-in name, read-only
    await page.fill('#p-id', 'BREAST-1');
    await page.click('#start');
    await page.click('#side-left'); // a breast capture names its breast (src/protocol/laterality.ts)
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    expect(await page.isDisabled('#exam-type')).toBe(true);
    await page.waitForFunction(() => document.getElementById('b-max')?.textContent?.includes('mm'), undefined, { timeout: 30000 });
    expect(await page.textContent('#b-summary')).toMatch(/unverified until a clinician confirms or corrects the outline/);
    // a kept frame with a result to review before Freeze (a sleep gave no such promise on a loaded machine)
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 30000 });
    await page.tap('#freeze');
    await page.tap('#best');
    await page.waitForFunction(() => (window as unknown as { sonoCalipers: () => unknown }).sonoCalipers() !== undefined, undefined, { timeout: 10000 });
    const before = await page.textContent('#b-max');
    const geo = await page.evaluate(() => {
      const c = document.getElementById('frame') as HTMLCanvasElement;
      const cal = (window as unknown as { sonoCalipers: () => { long: { x1: number; y1: number; x2: number; y2: number } } }).sonoCalipers();
      return { rect: c.getBoundingClientRect().toJSON() as DOMRect, w: c.width, h: c.height, long: cal.long };
    });
    const toPage = (x: number, y: number): { x: number; y: number } => ({ x: geo.rect.left + (x / geo.w) * geo.rect.width, y: geo.rect.top + (y / geo.h) * geo.rect.height });
    // drag the long axis's second end 15 px further out along the axis
    const { x1, y1, x2, y2 } = geo.long;
    const len = Math.hypot(x2 - x1, y2 - y1);
    const target = { x: x2 + ((x2 - x1) / len) * 15, y: y2 + ((y2 - y1) / len) * 15 };
    const start = toPage(x2, y2);
    const end = toPage(target.x, target.y);
    const cdp = await context.newCDPSession(page);
    await touchDrag(cdp, [start], [end], 6);
    const after = await page.textContent('#b-max');
    expect(after).not.toBe(before);
    expect(parseFloat(after!)).toBeGreaterThan(parseFloat(before!));
    expect(await page.textContent('#state')).toMatch(/edited/);
    const aiMargin = await page.inputValue('#b-margin');
    await page.selectOption('#b-margin', aiMargin === 'irregular' ? 'circumscribed' : 'irregular');
    await page.screenshot({ path: join(artifacts, 'breast-edited.png') });
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 15000 });
    expect(await page.textContent('#action-message')).toBe('Corrected and saved'); // else the server's reason shows
    expect(await page.getAttribute('#state', 'class')).toContain('saved');

    const exams = (await (await fetch(d.url + '/api/exams')).json()) as Array<{ id: string; examType: string }>;
    expect(exams[0]!.examType).toBe('breast');
    type M = { kind: string; aiValue: number; finalValue: number; aiText: string | null; finalText: string | null; state: string; decidedBy: string; finalGeometry: { x2: number; y2: number } | null };
    const exam = (await (await fetch(`${d.url}/api/exams/${exams[0]!.id}`)).json()) as { captures: Array<{ measurements: M[] }> };
    const ms = exam.captures[0]!.measurements;
    expect(ms.map((m) => m.kind)).not.toContain('hc'); // the head model ran too, but this is a breast exam
    const max = ms.find((m) => m.kind === 'lesion_max_diameter')!;
    expect(max.state).toBe('corrected');
    expect(max.finalValue).toBeGreaterThan(max.aiValue);
    expect(max.finalGeometry!.x2).toBeCloseTo(target.x, -1);
    expect(max.decidedBy).toBe('clinician'); // the signed-in user
    const margin = ms.find((m) => m.kind === 'lesion_margin')!;
    expect(margin).toMatchObject({ state: 'corrected', aiText: aiMargin });
    expect(margin.finalText).not.toBe(aiMargin);
    for (const k of ['lesion_perpendicular_diameter', 'lesion_orientation']) expect(ms.find((m) => m.kind === k)?.state, k).toBe('confirmed');
    // the screen offers no way to disagree with the AI's class and malignancy probability: never recorded as confirmed (issue 18)
    for (const k of ['lesion_class', 'malignancy_probability']) expect(ms.find((m) => m.kind === k)?.state, k).toBe('unverified');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('pushing the outline re-measures everything from it; the calipers follow and the correction is saved', async () => {
    const { d } = rig;
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, d, LANDSCAPE, errors, { consoleErrors: false });
    await page.selectOption('#exam-type', 'breast');
    await page.click('#start');
    await page.click('#side-left'); // a breast capture names its breast (src/protocol/laterality.ts)
    await page.waitForFunction(() => document.getElementById('b-max')?.textContent?.includes('mm'), undefined, { timeout: 30000 });
    // a kept frame with a result to review before Freeze (a sleep gave no such promise on a loaded machine)
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 30000 });
    await page.tap('#freeze');
    await page.tap('#best');
    await page.waitForFunction(() => (window as unknown as { sonoOutline: () => unknown }).sonoOutline() !== undefined, undefined, { timeout: 10000 });
    type Seg = { x1: number; y1: number; x2: number; y2: number };
    // the outline point farthest from every caliper end, pushed 25 px away from the outline's centre
    const { k, to, calipers } = await pushOutlineByTouch(context, page, 25);
    expect(await page.textContent('#state')).toMatch(/edited/);
    const moved = await page.evaluate(() => (window as unknown as { sonoOutline: () => number[] }).sonoOutline());
    expect(Math.hypot(moved[2 * k]! - to[0], moved[2 * k + 1]! - to[1])).toBeLessThan(3);
    const cal = await page.evaluate(() => (window as unknown as { sonoCalipers: () => { long: Seg; perp: Seg } }).sonoCalipers());
    expect(JSON.stringify(cal)).not.toBe(JSON.stringify(calipers));
    await page.screenshot({ path: join(artifacts, 'breast-outline-edited.png') });
    await page.tap('#confirm');
    // Saving takes ~0.2 s here; one CI run in ~10 saw no message within 15 s and could not be reproduced
    // (not under load either): wait longer, and if it happens again say what the page showed.
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 30000 }).catch(async (err: Error) => {
      const seen = await page.evaluate(() => ({ state: document.getElementById('state')?.textContent, confirmDisabled: (document.getElementById('confirm') as HTMLButtonElement).disabled, active: document.activeElement?.id }));
      throw new Error(`${err.message}; page: ${JSON.stringify(seen)}; page errors: ${JSON.stringify(errors)}`);
    });
    expect(await page.textContent('#action-message')).toBe('Corrected and saved');
    const exams = (await (await fetch(d.url + '/api/exams')).json()) as Array<{ id: string }>;
    const exam = (await (await fetch(`${d.url}/api/exams/${exams[0]!.id}`)).json()) as { captures: Array<{ measurements: Array<{ kind: string; state: string; finalGeometry: Seg | null }> }> };
    const diam = exam.captures[0]!.measurements.filter((m) => m.kind === 'lesion_max_diameter' || m.kind === 'lesion_perpendicular_diameter');
    expect(diam.some((m) => m.state === 'corrected')).toBe(true);
    const long = diam.find((m) => m.kind === 'lesion_max_diameter')!;
    if (long.state === 'corrected') expect(long.finalGeometry!.x1).toBeCloseTo(cal.long.x1, 3);
    // the pushed outline itself is kept with the margin decision
    const margin = exam.captures[0]!.measurements.find((m) => m.kind === 'lesion_margin') as unknown as { state: string; finalGeometry: { outline: number[] } };
    expect(margin.state).toBe('corrected');
    expect(Math.hypot(margin.finalGeometry.outline[2 * k]! - to[0], margin.finalGeometry.outline[2 * k + 1]! - to[1])).toBeLessThan(3);
    expect(errors).toEqual([]);
    await context.close();
  });
});
