/**
 * A frozen frame shows what was left on it (web-ui/src/live/kept-frames.ts), in Chromium against a real daemon
 * (simulated probe, the head model on every other frame, so the frames beside a result have none):
 * - an edit not saved survives scrubbing away and back, and a swipe that leaves the frame and comes back; leaving
 *   it says "Edits on this frame kept, not saved";
 * - a saved frame shown again shows the values its Confirm stored (the edited head, not the AI's) and its calipers,
 *   whose numbering goes on (D2 after the saved D1, as the daemon numbers it);
 * - a frame without a result of its own shows no other frame's quality, latency or flags, and its line says
 *   "No AI result on this frame"; so does a change of exam type while frozen;
 * - Calibrate is shown to an administrator (who may calibrate), not to a clinician (who is refused);
 * - the summary says "1 capture" (FR: "0 capture", "1 capture").
 * Session-14 UI review p4, p9, p10, p1, p3, p2.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signInContext } from '../helpers/auth.js';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, type Ellipse, clinicianPage, frameToPage, proposal, reviewBestFrame, scrubTo, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

type ExamJson = {
  id: string;
  captures: Array<{ measurements: Array<{ kind: string; aiValue: number; finalValue: number; state: string }>; clinicianMeasurements?: Array<{ n: number; value: number }> }>;
};

const text = (page: Page, id: string): Promise<string> => page.evaluate((i) => document.getElementById(i)!.textContent!.trim(), id);
const stateKey = (page: Page): Promise<string | undefined> => page.evaluate(() => document.getElementById('state')!.dataset.i18n);
const calipers = (page: Page): Promise<string[]> => page.evaluate(() => Array.from(document.querySelectorAll('#manual-measures li'), (l) => l.textContent!));
const shownIndex = async (page: Page): Promise<number> => Number(await page.inputValue('#scrub'));

/** Drags with the mouse (pointer events) from frame pixel a to b in `steps` moves. */
async function drag(page: Page, a: [number, number], b: [number, number], steps = 8): Promise<void> {
  const p = await frameToPage(page, ...a);
  const q = await frameToPage(page, ...b);
  await page.mouse.move(p.x, p.y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) await page.mouse.move(p.x + ((q.x - p.x) * i) / steps, p.y + ((q.y - p.y) * i) / steps);
  await page.mouse.up();
}

async function tapFrame(page: Page, x: number, y: number): Promise<void> {
  const p = await frameToPage(page, x, y);
  await page.mouse.click(p.x, p.y);
}

/** Drags the head's long-axis handle 30 frame px outward; the edited ellipse. */
async function lengthen(page: Page, e: Ellipse): Promise<Ellipse> {
  const a = (e.angleDeg * Math.PI) / 180;
  const h: [number, number] = [e.cx + Math.cos(a) * e.semiMajor, e.cy + Math.sin(a) * e.semiMajor];
  await drag(page, h, [h[0] + Math.cos(a) * 30, h[1] + Math.sin(a) * 30]);
  await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'edited', undefined, { timeout: 5000 });
  return (await proposal(page))!;
}

describe.skipIf(!existsSync(CHROMIUM))('a frozen frame shows what was left on it', () => {
  const rig = liveRig(() => ({ ...SIMULATED, models: [{ id: 'fetal-head', everyN: 2 }] }));

  it('keeps an unsaved edit, shows a saved frame as stored with its calipers, blanks a frame without a result', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-kept');
    expect(await text(page, 'exam-summary')).toMatch(/ · 0 captures$/);
    await reviewBestFrame(page);
    expect(await page.isHidden('#calibrate')).toBe(true); // a clinician may not calibrate: not offered
    const i = await shownIndex(page);
    const max = Number(await page.getAttribute('#scrub', 'max'));
    expect(max).toBeGreaterThan(0);
    const other = i > 0 ? i - 1 : i + 1; // a neighbour: the model ran on every other frame, so it has no result
    const ai = (await proposal(page))!;
    const aiHc = await text(page, 'hc');
    expect(await text(page, 'quality')).toMatch(/%/);

    // 1. an edit, then another frame: said kept; the neighbour shows none of this frame's result
    const edited = await lengthen(page, ai);
    const editedHc = await text(page, 'hc');
    expect(editedHc).not.toBe(aiHc);
    await scrubTo(page, other);
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent!.includes('Edits on this frame kept, not saved'), undefined, { timeout: 5000 });
    expect(await stateKey(page)).toBe('noAiResultLine');
    expect(await text(page, 'state')).toBe('No AI result on this frame');
    expect(await text(page, 'quality')).toBe('–');
    expect(await text(page, 'latency')).toBe('–');
    expect(await page.locator('#flags li').count()).toBe(0);
    expect(await text(page, 'hc')).toBe('–');
    // back: the edit as it was left, still to be saved
    await scrubTo(page, i);
    expect(await proposal(page)).toEqual(edited);
    expect(await text(page, 'hc')).toBe(editedHc);
    expect(await stateKey(page)).toBe('edited');
    expect(await page.isEnabled('#confirm')).toBe(true);

    // 2. a swipe that leaves the frame and comes back to it (a missed handle grab) keeps the edit
    const away: [number, number] = [edited.cx + 35, edited.cy + 35]; // inside the head, far from every handle
    const dir = i > 0 ? -1 : 1;
    const p = await frameToPage(page, ...away);
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    for (let k = 1; k <= 4; k++) await page.mouse.move(p.x + dir * 5 * k, p.y);
    expect(await shownIndex(page)).toBe(other); // 20 px: one frame over
    for (let k = 3; k >= 0; k--) await page.mouse.move(p.x + dir * 5 * k, p.y);
    await page.mouse.up();
    expect(await shownIndex(page)).toBe(i);
    expect(await proposal(page)).toEqual(edited);
    expect(await text(page, 'hc')).toBe(editedHc);
    expect(await stateKey(page)).toBe('edited');

    // 3. a caliper, Confirm: saved with the edited head
    await page.click('#tool-distance');
    await tapFrame(page, 60, 60);
    await tapFrame(page, 160, 60);
    await page.waitForFunction(() => document.querySelectorAll('#manual-measures li').length === 1);
    const d1 = (await calipers(page))[0]!;
    expect(d1).toMatch(/^D1 /);
    await page.click('#confirm');
    await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'saved' && / · 1 capture$/.test(document.getElementById('exam-summary')!.textContent!), undefined, {
      timeout: 15000,
    });

    // 4. away and back: the stored values, "saved", the saved caliper, no Confirm
    await scrubTo(page, other);
    await scrubTo(page, i);
    expect(await proposal(page)).toEqual(edited);
    expect(await text(page, 'hc')).toBe(editedHc);
    expect(await stateKey(page)).toBe('saved');
    expect(await calipers(page)).toEqual([d1]);
    expect(await page.isDisabled('#confirm')).toBe(true);
    const id = ((await (await fetch(`${rig.d.url}/api/exams`)).json()) as Array<{ id: string }>)[0]!.id;
    const stored = ((await (await fetch(`${rig.d.url}/api/exams/${id}`)).json()) as ExamJson).captures[0]!;
    const hc = stored.measurements.find((m) => m.kind === 'hc')!;
    expect(hc.state).toBe('corrected');
    expect(editedHc).toBe(`${hc.finalValue.toFixed(1)} mm`);

    // 5. a second caliper is D2, as the daemon stores it, and Confirm comes back for it
    await page.click('#tool-distance');
    await tapFrame(page, 60, 120);
    await tapFrame(page, 120, 120);
    await page.waitForFunction(() => document.querySelectorAll('#manual-measures li').length === 2);
    const d2 = (await calipers(page))[1]!;
    expect(d2).toMatch(/^D2 /);
    expect(await page.isEnabled('#confirm')).toBe(true);
    await page.click('#confirm');
    await page.waitForFunction(() => document.getElementById('state')!.dataset.i18n === 'saved' && document.getElementById('confirm')!.hasAttribute('disabled'), undefined, { timeout: 15000 });
    const record = async (): Promise<ExamJson> => (await (await fetch(`${rig.d.url}/api/exams/${id}`)).json()) as ExamJson;
    await expect.poll(async () => (await record()).captures[0]!.clinicianMeasurements!.length, { timeout: 10000 }).toBe(2);
    const both = (await record()).captures;
    expect(both).toHaveLength(1);
    expect(both[0]!.clinicianMeasurements!.map((m) => `D${m.n} ${m.value.toFixed(1)} mm`)).toEqual([d1, d2]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('a change of exam type while frozen blanks the other type’s quality and flags; French line and summary', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await page.selectOption('#lang', 'fr');
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
    await page.click('#freeze');
    await page.click('#best');
    await page.waitForFunction(() => (window as unknown as { sonoMode: () => string }).sonoMode() === 'reviewing', undefined, { timeout: 10000 });
    expect(await text(page, 'quality')).toMatch(/%/);
    await page.selectOption('#exam-type', 'breast'); // no breast model here: no result of that type on any frame
    expect(await text(page, 'quality')).toBe('–');
    expect(await text(page, 'latency')).toBe('–');
    expect(await page.locator('#flags li').count()).toBe(0);
    expect(await text(page, 'state')).toBe('Pas de résultat IA sur cette image');
    await page.selectOption('#exam-type', 'obstetric');
    expect(await text(page, 'quality')).toMatch(/%/);
    expect(await stateKey(page)).toBe('unverified');
    // French plural: 0 and 1 take the singular
    await page.click('#freeze');
    await page.fill('#p-ga', '20');
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    expect(await text(page, 'exam-summary')).toMatch(/ · 0 capture$/);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('offers Calibrate to an administrator', async () => {
    const context = await rig.browser.newContext({ viewport: LANDSCAPE, hasTouch: true });
    await signInContext(context, rig.d.url);
    const page = await context.newPage();
    await page.goto(rig.d.url + '/');
    await page.waitForFunction(() => document.body.dataset.role === 'admin', undefined, { timeout: 20000 });
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
    await page.click('#freeze');
    expect(await page.isVisible('#calibrate')).toBe(true);
    expect(await page.isEnabled('#calibrate')).toBe(true);
    await context.close();
  }, 60_000);
});
