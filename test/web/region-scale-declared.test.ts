/**
 * Depth-scale taps in the imaging region editor, in a real Chromium against a real daemon whose simulated probe
 * declares its own pixel spacing with every frame. The taps' spacing replaces the source's on every frame of that
 * size (src/pipeline/admission.ts: from 'depth-scale'); the editor sent them without a word. Now it reads what
 * the source declares and asks "This source declares 0.xxx mm/px. Replace it?": yes sends the taps, no saves the
 * rectangle alone and says the source keeps its own spacing.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium, openAsTechnician } from './system-technician.js';
import { ensureTestBuild, testUi } from './test-build.js';

beforeAll(() => ensureTestBuild(), 180_000);

/** Answers the next dialog (yes or no) as soon as it opens, within 10 s (a click waits while one is open); resolves with its text. */
const answer = (page: Page, yes: boolean): Promise<string> =>
  new Promise((resolve, reject) => {
    const late = setTimeout(() => reject(new Error('No question was asked within 10 s')), 10_000);
    page.once('dialog', (q) => {
      clearTimeout(late);
      resolve(`${q.type()}: ${q.message()}`.replace(/^confirm: /, ''));
      void (yes ? q.accept() : q.dismiss());
    });
  });

interface RegionState {
  origin: string;
  pixelSpacing: { x: number; y: number } | null;
}

describe.skipIf(!haveChromium)('region editor depth-scale taps over a declared spacing', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page & { errors: string[] };

  beforeAll(async () => {
    d = await startTestDaemon(tempDir('sonoedge-region-scale-'), {}, [], testUi);
    await waitForHealth(d.url, 200, 60_000);
    await addTokenUser(d.runtime.access.services, 'technician', 'tech-rita');
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-rita', 'region');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  /** A rectangle dragged, then the depth-scale tool: two taps 100 frame pixels apart, 25 mm typed. */
  async function rectAndTaps(): Promise<void> {
    await page.waitForFunction(() => document.getElementById('region-current')!.textContent !== '', undefined, { timeout: 20_000 });
    const box = await page.evaluate(() => {
      const c = document.getElementById('region-canvas') as HTMLCanvasElement;
      return { rect: c.getBoundingClientRect().toJSON() as DOMRect, w: c.width, h: c.height };
    });
    const toPage = (x: number, y: number): [number, number] => [box.rect.left + (x / box.w) * box.rect.width, box.rect.top + (y / box.h) * box.rect.height];
    if (await page.evaluate(() => document.getElementById('region-scale')!.classList.contains('active'))) await page.click('#region-scale');
    await page.mouse.move(...toPage(20, 20));
    await page.mouse.down();
    for (let k = 1; k <= 4; k++) await page.mouse.move(...toPage(20 + 40 * k, 20 + 30 * k));
    await page.mouse.up();
    await page.click('#region-scale');
    await page.mouse.click(...toPage(30, 30));
    await page.mouse.click(...toPage(130, 30));
    await page.fill('#region-scale-mm', '25');
  }

  it('asks first: no saves the rectangle without the taps, yes saves them', async () => {
    const declared = ((await (await fetch(d.url + '/api/source/calibration')).json()) as { sourceDeclares: { x: number } | null }).sourceDeclares;
    expect(declared?.x).toBeGreaterThan(0);
    const sent: Array<Record<string, unknown>> = [];
    page.on('request', (r) => r.method() === 'PUT' && r.url().endsWith('/api/source/region') && sent.push(r.postDataJSON() as Record<string, unknown>));

    await rectAndTaps();
    const asked = answer(page, false);
    await page.click('#region-save');
    expect(await asked).toBe(`This source declares ${declared!.x.toFixed(3)} mm/px. Replace it?`);
    await page.waitForFunction(() => /keeps its own/.test(document.getElementById('region-message')!.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toHaveProperty('scale');
    expect(sent[0]).not.toHaveProperty('overrideDeclaredSpacing');
    expect((await (await fetch(d.url + '/api/source/region')).json()) as RegionState).toMatchObject({ origin: 'set', pixelSpacing: null });

    await rectAndTaps();
    const again = answer(page, true);
    await page.click('#region-save');
    expect(await again).toMatch(/Replace it\?$/);
    await page.waitForFunction(() => document.getElementById('region-message')!.className === 'ok' && !/keeps/.test(document.getElementById('region-message')!.textContent ?? ''), undefined, {
      timeout: 10_000,
    });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toHaveProperty('scale');
    expect(sent[1]).toMatchObject({ overrideDeclaredSpacing: true }); // the yes said to the daemon, which refuses taps without it (409)
    const after = (await (await fetch(d.url + '/api/source/region')).json()) as RegionState;
    expect(after.pixelSpacing!.x).toBeCloseTo(0.25, 2);
    expect(page.errors).toEqual([]);
  });
});
