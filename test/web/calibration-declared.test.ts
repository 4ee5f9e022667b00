/**
 * Two-point calibration on the live page, in a real Chromium against a real daemon whose simulated probe
 * declares its own pixel spacing with every frame. The daemon keeps a calibration on such a source as an
 * override of it; the page used to send it without a word (no override flag), so a tap replaced the scanner's
 * spacing in every later measurement. Now the page reads what the source declares and asks
 * "This source declares 0.xxx mm/px. Replace it?": override: true only on yes; no sends nothing.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signInContext } from '../helpers/auth.js';
import { CHROMIUM } from './breast-replay.js';
import { liveRig } from './live-rig.js';

/** Answers the next dialog (yes or no) as soon as it opens, within 10 s (a tap waits while one is open); resolves with its text. */
const answer = (page: Page, yes: boolean): Promise<string> =>
  new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error('No question was asked within 10 s')), 10_000);
    page.once('dialog', (q) => {
      clearTimeout(late);
      resolve(`${q.type()}: ${q.message()}`.replace(/^confirm: /, ''));
      void (yes ? q.accept() : q.dismiss());
    });
  });

interface Cal {
  pixelSpacing: { x: number } | null;
  sourceDeclares: { x: number; y: number } | null;
  stored: { pixelSpacing: { x: number }; override: boolean } | null;
}

describe.skipIf(!existsSync(CHROMIUM))('calibration over a spacing the source declares', () => {
  const rig = liveRig(() => ({}));

  /** Frozen on a frame, two points 100 frame pixels apart tapped, 25 mm typed: the next tap is Apply. */
  async function twoPoints(page: Page): Promise<void> {
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 30000 });
    if (!(await page.isVisible('#frozen-badge'))) await page.tap('#freeze');
    await page.tap('#calibrate');
    const at = (x: number, y: number) =>
      page.evaluate(
        ([x, y]) => {
          const c = document.getElementById('frame') as HTMLCanvasElement;
          const r = c.getBoundingClientRect();
          return { x: r.left + (x / c.width) * r.width, y: r.top + (y / c.height) * r.height };
        },
        [x, y] as const,
      );
    for (const p of [await at(100, 100), await at(200, 100)]) await page.mouse.click(p.x, p.y);
    await page.fill('#cal-mm', '25');
  }

  it('asks before replacing the declared spacing: no keeps it (nothing stored), yes stores an override', async () => {
    const { d, browser } = rig;
    const declared = (await (await fetch(d.url + '/api/source/calibration')).json()) as Cal;
    expect(declared.sourceDeclares?.x).toBeGreaterThan(0);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
    await signInContext(context, d.url); // admin: a technician may calibrate
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const sent: Array<Record<string, unknown>> = [];
    page.on('request', (r) => r.method() === 'PUT' && r.url().endsWith('/api/source/calibration') && sent.push(r.postDataJSON() as Record<string, unknown>));
    await page.goto(d.url + '/');
    await twoPoints(page);

    // No: nothing replaced, the page says the source keeps its own spacing
    const asked = answer(page, false);
    await page.tap('#cal-apply');
    expect(await asked).toBe(`This source declares ${declared.sourceDeclares!.x.toFixed(3)} mm/px. Replace it?`);
    await page.waitForFunction(() => /source keeps its own/.test(document.getElementById('action-message')!.textContent ?? ''));
    expect(sent).toEqual([]); // nothing sent
    expect((await (await fetch(d.url + '/api/source/calibration')).json()) as Cal).toMatchObject({ pixelSpacing: null, stored: null });

    // Yes: the override is sent, and stored as one
    await twoPoints(page);
    const again = answer(page, true);
    await page.tap('#cal-apply');
    expect(await again).toMatch(/Replace it\?$/);
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent!.includes('mm/px') && !/keeps/.test(document.getElementById('action-message')!.textContent!));
    expect(sent.map((b) => b.override)).toEqual([true]);
    const after = (await (await fetch(d.url + '/api/source/calibration')).json()) as Cal;
    expect(after.stored).toMatchObject({ override: true });
    expect(after.stored!.pixelSpacing.x).toBeCloseTo(0.25, 2);
    expect(errors).toEqual([]);
    await context.close();
  });
});
