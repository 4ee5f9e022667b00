/**
 * Image review on a frozen frame (issue 18), in Chromium with touch at 1280×800 and 820×1180: the BPD and OFD
 * lines drawn on the head's ellipse; a two-finger pinch zooms and moves the frame, a finger pans the zoomed
 * frame (not the cine), handles still land where the finger is; the clinician's own distance and area
 * calipers, independent of the AI, measured with the frame's pixel spacing; going live resets both.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureLive } from '../helpers/daemon.js';
import { CHROMIUM } from './breast-replay.js';
import { VIEWPORTS, clinicianPage, frameToPage, proposal, reviewBestFrame, startExam } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';
import { touchDrag } from './touch.js';

const frameBox = (page: Page): Promise<{ left: number; top: number; width: number; height: number; w: number; h: number; zoom: string | undefined }> =>
  page.evaluate(() => {
    const c = document.getElementById('frame') as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height, w: c.width, h: c.height, zoom: c.dataset.zoom };
  });
/** Colours within 4 frame pixels of (x, y), as [r, g, b] triples. */
const around = (page: Page, x: number, y: number): Promise<Array<[number, number, number]>> =>
  page.evaluate(
    ([x, y]) => {
      const px = (document.getElementById('frame') as HTMLCanvasElement).getContext('2d')!.getImageData(Math.round(x) - 4, Math.round(y) - 4, 9, 9).data;
      const out: Array<[number, number, number]> = [];
      for (let i = 0; i < px.length; i += 4) out.push([px[i]!, px[i + 1]!, px[i + 2]!]);
      return out;
    },
    [x, y] as const,
  );
const near = (c: [number, number, number], rgb: [number, number, number]): boolean => c.every((v, i) => Math.abs(v - rgb[i]!) < 30);

describe.skipIf(!existsSync(CHROMIUM))('image review: BPD/OFD lines, pinch-zoom and pan, calipers', () => {
  const rig = liveRig(() => SIMULATED);
  let spacing: { x: number; y: number };
  beforeAll(async () => {
    const live = await captureLive(rig.d.url, (c) => c.frames.length >= 1);
    spacing = live.frames[0]!.pixelSpacing!;
  }, 120_000);

  for (const viewport of VIEWPORTS) {
    it(`review a frozen frame by touch, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors);
      await startExam(page, 'obstetric', 20);
      await reviewBestFrame(page, { reviewing: 30000 }); // (Playwright's default, which this wait always had)

      // BPD along the minor axis (lime), OFD along the major axis (orange), on the ellipse under review
      const e = (await proposal(page))!;
      const a = (e.angleDeg * Math.PI) / 180;
      const bpdAt = [e.cx - Math.sin(a) * e.semiMinor * 0.6, e.cy + Math.cos(a) * e.semiMinor * 0.6] as const;
      const ofdAt = [e.cx + Math.cos(a) * e.semiMajor * 0.6, e.cy + Math.sin(a) * e.semiMajor * 0.6] as const;
      expect((await around(page, ...bpdAt)).some((c) => near(c, [163, 230, 53])), 'BPD line').toBe(true);
      expect((await around(page, ...ofdAt)).some((c) => near(c, [251, 146, 60])), 'OFD line').toBe(true);
      expect((await around(page, ...ofdAt)).some((c) => near(c, [163, 230, 53]))).toBe(false);

      // pinch: two fingers spread apart around the frame's centre → zoomed about 2×
      const cdp = await context.newCDPSession(page);
      const before = await frameBox(page);
      const c0 = { x: before.left + before.width / 2, y: before.top + before.height / 2 };
      await touchDrag(cdp, [{ x: c0.x - 50, y: c0.y }, { x: c0.x + 50, y: c0.y }], [{ x: c0.x - 100, y: c0.y }, { x: c0.x + 100, y: c0.y }], 6);
      const zoomed = await frameBox(page);
      // (the spread doubled; the last move may be merged into the lift, so a little less than 2×)
      expect(Number(zoomed.zoom)).toBeGreaterThan(1.6);
      expect(Number(zoomed.zoom)).toBeLessThanOrEqual(2.01);
      expect(zoomed.width / before.width).toBeCloseTo(Number(zoomed.zoom), 1);
      expect(await page.evaluate(() => (window as unknown as { sonoMode: () => string }).sonoMode())).toBe('reviewing');
      // one finger on the zoomed frame (near the corner of the box it was fitted to: seen, and away from every
      // handle) pans it and leaves the cine where it was
      const scrub = await page.inputValue('#scrub');
      const far = { x: before.left + 30, y: before.top + before.height - 30 };
      await touchDrag(cdp, [far], [{ x: far.x + 60, y: far.y + 40 }], 6);
      const panned = await frameBox(page);
      expect(panned.left - zoomed.left).toBeCloseTo(60, -1);
      expect(panned.top - zoomed.top).toBeCloseTo(40, -1);
      expect(await page.inputValue('#scrub')).toBe(scrub);
      // at this zoom a handle still lands where the finger puts it
      const h0 = await frameToPage(page, e.cx + Math.cos(a) * e.semiMajor, e.cy + Math.sin(a) * e.semiMajor);
      const target = [e.cx + Math.cos(a) * (e.semiMajor + 15), e.cy + Math.sin(a) * (e.semiMajor + 15)] as const;
      await touchDrag(cdp, [h0], [await frameToPage(page, ...target)], 6);
      expect((await proposal(page))!.semiMajor).toBeCloseTo(e.semiMajor + 15, 0);
      await page.click('#reset'); // back to the AI's ellipse (a tap on the panel's buttons: confirm-taps.test.ts)
      await page.waitForFunction((m) => (window as unknown as { sonoProposal: () => { semiMajor: number } }).sonoProposal().semiMajor === m, e.semiMajor, { timeout: 5000 });

      // the clinician's distance, on the zoomed frame: 120 frame pixels across the head's centre, in mm with
      // the frame's spacing (a chosen tool takes the finger: no handle moves)
      await page.tap('#tool-distance');
      // a tap's click reaches the page after touchend: wait for its effect. (Taps here were lost in 2 CI runs in 2:
      // the quick handle drag just before ended as a fling and Chromium dropped the click of the tap that cancelled
      // it; the canvas now consumes its touches, web-ui/src/dom/hold-touches.ts.)
      await page.waitForSelector('#tool-distance[aria-pressed="true"]', { timeout: 5000 });
      const cx = Math.round(e.cx);
      const cy = Math.round(e.cy);
      const p1 = await frameToPage(page, cx - 60, cy - 10);
      const p2 = await frameToPage(page, cx + 60, cy - 10);
      await page.touchscreen.tap(p1.x, p1.y);
      await page.touchscreen.tap(p2.x, p2.y);
      await page.waitForSelector('#manual-measures li');
      const dist = Number((await page.textContent('#manual-measures li'))!.match(/^D1 ([\d.]+) mm$/)![1]);
      expect(dist).toBeCloseTo(120 * spacing.x, 0);
      expect(await page.getAttribute('#tool-distance', 'aria-pressed')).toBe('false');
      // an area: four corners of a 100 × 60 rectangle, then Area again to close it
      await page.tap('#tool-area');
      await page.waitForSelector('#tool-area[aria-pressed="true"]', { timeout: 5000 }); // the tap's click has landed
      for (const [x, y] of [[cx - 50, cy - 30], [cx + 50, cy - 30], [cx + 50, cy + 30], [cx - 50, cy + 30]] as const) {
        const p = await frameToPage(page, x, y);
        await page.touchscreen.tap(p.x, p.y);
      }
      await page.tap('#tool-area');
      await page.waitForFunction(() => document.querySelectorAll('#manual-measures li').length === 2);
      const area = Number((await page.textContent('#manual-measures li:nth-child(2)'))!.match(/^A1 ([\d.]+) mm²$/)![1]);
      expect(area / (100 * 60 * spacing.x * spacing.y)).toBeCloseTo(1, 1);
      expect(await page.evaluate(() => (window as unknown as { sonoMode: () => string }).sonoMode())).toBe('reviewing');
      expect(await proposal(page)).toEqual(e); // the AI proposal untouched by the caliper taps
      // drawn on the frame, in their own colour
      expect((await around(page, cx + 60, cy - 10)).some((c) => near(c, [232, 121, 249]))).toBe(true);

      // live again: the whole frame, no calipers
      await page.tap('#freeze');
      const back = await frameBox(page);
      expect(back.zoom).toBe('1.00');
      expect(back.width).toBeCloseTo(before.width, 0);
      expect(await page.locator('#manual-measures li').count()).toBe(0);
      expect(await page.isDisabled('#tool-distance')).toBe(true);
      await cdp.detach();
      expect(errors).toEqual([]);
      await context.close();
    }, 90_000);
  }
});
