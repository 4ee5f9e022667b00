/**
 * The imaging region editor in a real Chromium against a real daemon (simulated source): a rectangle
 * dragged on the live frame is saved, and GET /api/source/region returns that rectangle (frame pixels).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium, openAsTechnician } from './system-technician.js';
import { ensureTestBuild, testUi } from './test-build.js';

beforeAll(() => ensureTestBuild(), 180_000);

describe.skipIf(!haveChromium)('imaging region editor (technician)', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page & { errors: string[] };

  beforeAll(async () => {
    d = await startTestDaemon(tempDir('sonoedge-region-page-'), {}, [], testUi);
    await waitForHealth(d.url, 200, 60_000);
    await addTokenUser(d.runtime.access.services, 'technician', 'tech-rita');
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-rita', 'region');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('a rectangle dragged on the live frame is what GET /api/source/region returns', async () => {
    // a live frame drawn on the editor's canvas (not the 640×480 placeholder's blank)
    await page.waitForFunction(() => {
      const c = document.getElementById('region-canvas') as HTMLCanvasElement;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < px.length; i += 4 * 101) if (px[i]! > 0) return true;
      return false;
    }, undefined, { timeout: 20_000 });
    // the current region's line above the canvas is filled when GET /api/source/region answers, which can be
    // after the first live frame: read the canvas's place only once the layout above it is final
    await page.waitForFunction(() => document.getElementById('region-current')!.textContent !== '', undefined, { timeout: 10_000 });
    const box = await page.evaluate(() => {
      const c = document.getElementById('region-canvas') as HTMLCanvasElement;
      return { rect: c.getBoundingClientRect().toJSON() as DOMRect, w: c.width, h: c.height };
    });
    const toPage = (x: number, y: number): [number, number] => [box.rect.left + (x / box.w) * box.rect.width, box.rect.top + (y / box.h) * box.rect.height];
    const want = { x: Math.round(box.w * 0.2), y: Math.round(box.h * 0.15), width: Math.round(box.w * 0.5), height: Math.round(box.h * 0.6) };
    await page.mouse.move(...toPage(want.x, want.y));
    await page.mouse.down();
    for (let k = 1; k <= 6; k++) await page.mouse.move(...toPage(want.x + (want.width * k) / 6, want.y + (want.height * k) / 6));
    await page.mouse.up();
    await page.click('#region-save');
    await page.waitForFunction(() => document.getElementById('region-message')!.className === 'ok', undefined, { timeout: 10_000 });
    const got = (await (await fetch(d.url + '/api/source/region')).json()) as { origin: string; rect: typeof want; region: typeof want; frame: { width: number; height: number }; setBy: string };
    expect(got.origin).toBe('set');
    expect(got.setBy).toBe('tech-rita');
    expect(got.frame).toEqual({ width: box.w, height: box.h });
    // a CSS-pixel drag maps back to frame pixels within one pixel of rounding
    for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(got.rect[k] - want[k])).toBeLessThanOrEqual(1);
    expect(await page.textContent('#region-current')).toContain(`${got.rect.width}×${got.rect.height} @ ${got.rect.x},${got.rect.y}`);
    expect(page.errors).toEqual([]);
  });
});
