/**
 * Two ways the review could tell the record less than the clinician did, in Chromium against a real daemon:
 *  - the head ellipse dragged by its centre only (same size): HC, BPD and OFD are 'corrected' with the AI's
 *    values and the moved ellipse (a 'confirmed' would have kept the AI's place in the SR, QA export and overlay);
 *  - an exam-type switch: Freeze no longer offers a frame whose result belongs to the type before the switch
 *    (nothing to review there); with none of the new type's results kept, it says so.
 */
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { type Ellipse, LANDSCAPE, clinicianPage, mode, proposal, reviewBestFrame, scrubTo, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';
import { touchDrag } from './touch.js';

interface M {
  kind: string;
  state: string;
  aiValue: number | null;
  finalValue: number | null;
  finalGeometry: { ellipse?: Ellipse } | null;
}

const actionMessage = (page: Page): Promise<string> => page.evaluate(() => document.getElementById('action-message')!.textContent ?? '');

/** Drags with one finger from frame point `from` to `to` (frame pixels), through real touch events. */
async function dragFrame(context: BrowserContext, page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const g = await page.evaluate(() => {
    const c = document.getElementById('frame') as HTMLCanvasElement;
    return { rect: c.getBoundingClientRect().toJSON() as DOMRect, w: c.width, h: c.height };
  });
  const toPage = ([x, y]: [number, number]): { x: number; y: number } => ({ x: g.rect.left + (x / g.w) * g.rect.width, y: g.rect.top + (y / g.h) * g.rect.height });
  const start = toPage(from);
  const end = toPage(to);
  const cdp = await context.newCDPSession(page);
  await touchDrag(cdp, [start], [end], 6);
  await cdp.detach();
}

describe.skipIf(!existsSync(CHROMIUM))('review records a moved ellipse; Freeze offers only the shown exam type', () => {
  const rig = liveRig(() => SIMULATED);

  it('the head ellipse moved by its centre only is saved as corrected: same values, the moved ellipse', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    await startExam(page, 'obstetric', 20);
    await reviewBestFrame(page); // a head result on a kept frame, under review
    const e = (await proposal(page))!;
    const hcShown = await page.textContent('#hc');
    // the centre handle 18 px right and 10 px down: the head moved, not resized
    const to: [number, number] = [e.cx + 18, e.cy + 10];
    await dragFrame(context, page, [e.cx, e.cy], to);
    const moved = (await proposal(page))!;
    expect(Math.hypot(moved.cx - to[0], moved.cy - to[1])).toBeLessThan(1.5);
    expect({ semiMajor: moved.semiMajor, semiMinor: moved.semiMinor, angleDeg: moved.angleDeg }).toEqual({ semiMajor: e.semiMajor, semiMinor: e.semiMinor, angleDeg: e.angleDeg });
    expect(await page.textContent('#hc')).toBe(hcShown);
    expect(await page.textContent('#state')).toMatch(/edited/);
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('state')!.classList.contains('saved'), undefined, { timeout: 15000 });
    expect(await actionMessage(page)).toBe('Corrected and saved');

    const exams = (await (await fetch(rig.d.url + '/api/exams')).json()) as Array<{ id: string }>;
    const exam = (await (await fetch(`${rig.d.url}/api/exams/${exams[0]!.id}`)).json()) as { captures: Array<{ measurements: M[] }> };
    const ms = exam.captures[0]!.measurements;
    for (const kind of ['hc', 'bpd', 'ofd']) {
      const m = ms.find((x) => x.kind === kind)!;
      expect(m.state, kind).toBe('corrected');
      expect(m.finalValue, kind).toBe(m.aiValue); // the size is the AI's: the value stays exactly its own
      const g = m.finalGeometry!.ellipse!;
      expect(Math.hypot(g.cx - moved.cx, g.cy - moved.cy), kind).toBeLessThan(0.1);
      expect(Math.hypot(g.cx - e.cx, g.cy - e.cy), kind).toBeGreaterThan(15);
      expect(g.semiMajor, kind).toBeCloseTo(e.semiMajor, 1);
      expect(g.semiMinor, kind).toBeCloseTo(e.semiMinor, 1);
    }
    // GA has no outline and its value did not change
    expect(ms.find((x) => x.kind === 'ga')!.state).toBe('confirmed');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  it('after a switch to the breast exam type, Freeze offers no fetal-head frame; back on obstetric, a head again', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    // live on the obstetric type (no exam): the cine fills with detected heads
    await page.waitForFunction(() => document.getElementById('hc')?.textContent?.includes('mm'), undefined, { timeout: 20000 });
    await page.selectOption('#exam-type', 'breast'); // this daemon runs no breast-lesion model: no lesion result comes
    await page.tap('#freeze');
    await page.waitForFunction(() => (window as unknown as { sonoMode: () => string }).sonoMode() !== 'live', undefined, { timeout: 10000 });
    expect(await mode(page)).toBe('frozen');
    expect(await actionMessage(page)).toBe('No AI result for this exam type in the frames kept: go live, scan, then freeze again');
    expect(await page.isDisabled('#confirm')).toBe(true);
    // a frame kept from before the switch, scrubbed to, shows no result either
    await scrubTo(page, 0);
    expect(await mode(page)).toBe('frozen');
    expect(await actionMessage(page)).toMatch(/^No AI result for this exam type/);

    // live again on obstetric: its new results are offered
    await page.tap('#freeze');
    await page.selectOption('#exam-type', 'obstetric');
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
    await page.waitForFunction(() => document.getElementById('hc')?.textContent?.includes('mm'), undefined, { timeout: 20000 });
    await page.tap('#freeze');
    await page.waitForFunction(() => (window as unknown as { sonoMode: () => string }).sonoMode() === 'reviewing', undefined, { timeout: 10000 });
    expect(await proposal(page)).toBeDefined();
    // switched while frozen: the head under review is dropped with the type's results
    await page.selectOption('#exam-type', 'breast');
    expect(await mode(page)).toBe('frozen');
    expect(await actionMessage(page)).toMatch(/^No AI result for this exam type/);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
