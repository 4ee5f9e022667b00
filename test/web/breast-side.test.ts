/**
 * The breast side on the live page, in a real Chromium against a real daemon replaying BUSI images through
 * the breast-lesion model: in a breast exam the panel shows Left / Right breast buttons and the frame a side
 * badge ("SIDE?" until one is tapped: there is no default); Confirm without a side says to choose one and
 * stores nothing; with Left chosen the capture is stored with laterality "left", the badge and the exam summary
 * say so, and both follow the language (French). An obstetric exam shows neither.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { breastMissing, breastReplayConfig, replayFolder } from './breast-replay.js';
import { LANDSCAPE, PORTRAIT, clinicianPage, reviewBestFrame } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';

const missing = breastMissing;
if (missing.length) console.warn(`Skipping the breast side browser test: ${missing.join('; ')}`);

const text = (page: Page, id: string): Promise<string> => page.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);
const shown = (page: Page, id: string): Promise<boolean> =>
  page.evaluate((i) => {
    const el = document.getElementById(i);
    return !!el && !el.hidden && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
  }, id);

describe.skipIf(missing.length > 0)('breast side on the live page', () => {
  const rig = liveRig(async () => breastReplayConfig(await replayFolder()));

  it('no side, no save; Left chosen: stored left, shown on the frame and in the summary, in French too', async () => {
    const { d } = rig;
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, d, LANDSCAPE, errors);
    await page.selectOption('#lang', 'en');
    await page.selectOption('#exam-type', 'obstetric');
    expect(await shown(page, 'breast-side'), 'no side toggle in an obstetric exam').toBe(false);
    expect(await shown(page, 'side-badge')).toBe(false);
    await page.selectOption('#exam-type', 'breast');
    expect(await shown(page, 'breast-side')).toBe(true);
    expect(await shown(page, 'side-badge')).toBe(true);
    expect(await text(page, 'side-badge')).toBe('SIDE?');
    // big enough for a gloved finger
    const box = await page.locator('#side-left').boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await page.fill('#p-id', 'SIDE-1');
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    await page.waitForFunction(() => document.getElementById('b-max')?.textContent?.includes('mm'), undefined, { timeout: 30000 });
    await reviewBestFrame(page, { reviewable: 30000 });
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent !== '', undefined, { timeout: 15000 });
    expect(await text(page, 'action-message')).toMatch(/^Choose the side \(Left or Right breast\) before saving/);
    const examId = ((await (await fetch(d.url + '/api/exams')).json()) as Array<{ id: string }>)[0]!.id;
    const capturesOf = async (): Promise<Array<{ laterality: string | null }>> =>
      ((await (await fetch(`${d.url}/api/exams/${examId}`)).json()) as { captures: Array<{ laterality: string | null }> }).captures;
    expect(await capturesOf(), 'nothing stored without a side').toEqual([]);

    await page.tap('#side-left');
    expect(await page.getAttribute('#side-left', 'aria-pressed')).toBe('true');
    expect(await page.getAttribute('#side-right', 'aria-pressed')).toBe('false');
    expect(await text(page, 'side-badge')).toBe('LEFT BREAST');
    await page.tap('#confirm');
    await page.waitForFunction(() => /saved/.test(document.getElementById('action-message')!.textContent ?? ''), undefined, { timeout: 15000 });
    expect((await capturesOf()).map((c) => c.laterality)).toEqual(['left']);
    await page.waitForFunction(() => document.getElementById('exam-summary')!.textContent!.includes('1 capture'), undefined, { timeout: 10000 });
    expect(await text(page, 'exam-summary')).toBe('SIDE-1 · 1 capture (1 left, 0 right)');
    await page.screenshot({ path: join(packageRoot(), 'test-artifacts', 'breast-side-left.png') });

    await page.selectOption('#lang', 'fr');
    expect(await text(page, 'exam-summary')).toBe('SIDE-1 · 1 capture (1 gauche, 0 droit)');
    expect(await text(page, 'side-badge')).toBe('SEIN GAUCHE');
    expect(await text(page, 'side-left')).toBe('Sein gauche');
    await page.tap('#side-right');
    expect(await text(page, 'side-badge')).toBe('SEIN DROIT');
    await page.selectOption('#lang', 'en');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('portrait tablet: the side buttons are in view without scrolling, beside Confirm', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, PORTRAIT, errors);
    await page.selectOption('#exam-type', 'breast');
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    const inView = (sel: string): Promise<boolean> =>
      page.evaluate((q) => {
        const r = document.querySelector(q)!.getBoundingClientRect();
        return r.height >= 44 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
      }, sel);
    for (const sel of ['#side-left', '#side-right', '#confirm']) expect(await inView(sel), sel).toBe(true);
    expect(await text(page, 'side-badge')).toBe('SIDE?');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
