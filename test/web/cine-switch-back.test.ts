/**
 * An exam-type switch by mistake and back, in Chromium against a real daemon: frozen on a head, a switch to
 * breast shows no head (nothing of another type is drawn or offered), and back on obstetric the same frame's
 * head is under review again and Best frame offers the heads kept. The switch used to drop the old type's
 * results from the cine, so switching back left a frozen frame with "No AI result" and nothing to review.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, mode } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

const reviewable = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames());
const proposal = (page: Page): Promise<unknown> => page.evaluate(() => (window as unknown as { sonoProposal: () => unknown }).sonoProposal());
const actionMessage = (page: Page): Promise<string> => page.evaluate(() => document.getElementById('action-message')!.textContent ?? '');
const overlay = (page: Page): Promise<string | undefined> => page.evaluate(() => document.getElementById('frame')!.dataset.overlay);

describe.skipIf(!existsSync(CHROMIUM))('an exam-type switch and back keeps the frames kept reviewable', () => {
  const rig = liveRig(() => SIMULATED);

  it('frozen on a head, breast by mistake, obstetric again: the same head is under review again', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    // live on the obstetric type (no exam): the cine fills with detected heads
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
    await page.tap('#freeze');
    await page.waitForFunction(() => (window as unknown as { sonoMode: () => string }).sonoMode() === 'reviewing', undefined, { timeout: 10000 });
    const head = await proposal(page);
    expect(head).toBeDefined();
    const heads = await reviewable(page);

    // breast by mistake (this daemon runs no breast-lesion model): no head drawn, offered or counted
    await page.selectOption('#exam-type', 'breast');
    expect(await mode(page)).toBe('frozen');
    expect(await overlay(page)).toBe('none');
    expect(await reviewable(page)).toBe(0);
    expect(await actionMessage(page)).toMatch(/^No AI result for this exam type/);

    // back on obstetric, still frozen: the same frame's head, and every head kept, are offered again
    await page.selectOption('#exam-type', 'obstetric');
    expect(await mode(page)).toBe('reviewing');
    expect(await proposal(page)).toEqual(head);
    expect(await overlay(page)).toBe('review');
    expect(await actionMessage(page)).toBe('');
    expect(await reviewable(page)).toBeGreaterThanOrEqual(heads); // a head for a kept frame may still have come in
    await page.tap('#best');
    expect(await mode(page)).toBe('reviewing');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
