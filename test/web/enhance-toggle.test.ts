/**
 * The enhanced view in a real Chromium against a real daemon: the toggle appears when an enhancement
 * model is loaded, switching it on makes the daemon run the enhancer and the canvas show smoother speckle,
 * one tap brings the raw frame back (and stops the model), and the choice is remembered per user.
 * Runs the page's test build (test-build.ts), needs /usr/bin/chromium and the enhance model package.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { SECRETS, addTokenUser, signInContext } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { ensureTestBuild, testUi } from './test-build.js';

const CHROMIUM = '/usr/bin/chromium';
const root = packageRoot();
const missing = [
  [existsSync(CHROMIUM), 'no /usr/bin/chromium'],
  [existsSync(join(root, 'models', 'enhance', 'manifest.json')), 'no enhance model package'],
].filter(([ok]) => !ok).map(([, why]) => why);
if (missing.length) console.warn(`Skipping the enhanced-view browser test: ${missing.join('; ')}`);

/** Mean standard deviation of 8×8 blocks in the middle of the sector (tissue speckle) on the canvas. */
async function speckle(page: Page): Promise<number> {
  await page.waitForTimeout(600);
  return page.evaluate(() => {
    const c = document.getElementById('frame') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(120, 300, 400, 160).data;
    let total = 0;
    let blocks = 0;
    for (let by = 0; by < 160; by += 8) {
      for (let bx = 0; bx < 400; bx += 8) {
        let s = 0;
        let s2 = 0;
        for (let y = by; y < by + 8; y++) {
          for (let x = bx; x < bx + 8; x++) {
            const v = d[(y * 400 + x) * 4]!;
            s += v;
            s2 += v * v;
          }
        }
        total += Math.sqrt(Math.max(0, s2 / 64 - (s / 64) ** 2));
        blocks++;
      }
    }
    return total / blocks;
  });
}

describe.skipIf(missing.length > 0)('enhanced view toggle in Chromium', () => {
  let d: TestDaemon;
  let browser: Browser;
  beforeAll(async () => {
    ensureTestBuild();
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    d = await startTestDaemon(tempDir(), { models: [{ id: 'fetal-head', everyN: 1 }, { id: 'enhance', everyN: 1 }] }, [], testUi);
    await waitForHealth(d.url, 200, 60000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('on: enhanced frames drawn and the model runs; off: raw again in one tap; remembered per user', async () => {
    const runs = (): number => d.runtime.pipeline!.stats().models.enhance!.runs;
    // two clinicians on one device (one browser profile, so one localStorage): dr-a signs in first
    for (const name of ['dr-a', 'dr-b']) await addTokenUser(d.runtime.access.services, 'clinician', name);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signIn = (name: string): Promise<void> => signInContext(context, d.url, name, SECRETS.clinician);
    await signIn('dr-a');
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(d.url + '/');
    await page.waitForSelector('#enhance-row', { state: 'visible', timeout: 20000 });
    expect(await page.isChecked('#enhance')).toBe(false);
    expect(await page.inputValue('#operator')).toBe('dr-a'); // the signed-in name, read-only
    const raw = await speckle(page);
    expect(runs()).toBe(0);

    await page.click('#enhance');
    await page.waitForTimeout(800);
    expect(runs()).toBeGreaterThan(0);
    const enhanced = await speckle(page);
    await page.screenshot({ path: join(root, 'test-artifacts', 'enhanced-view.png') });
    expect(enhanced).toBeLessThan(0.8 * raw);

    await page.click('#enhance'); // one tap: the raw frame is back
    const back = await speckle(page);
    expect(back).toBeGreaterThan(0.9 * raw);
    const stopped = runs();
    await page.waitForTimeout(700);
    expect(runs()).toBe(stopped);

    // remembered per user: dr-a turns it on, dr-b never did
    await page.click('#enhance');
    await signIn('dr-b');
    await page.reload();
    await page.waitForSelector('#enhance-row', { state: 'visible' });
    expect(await page.inputValue('#operator')).toBe('dr-b');
    expect(await page.isChecked('#enhance')).toBe(false);
    await signIn('dr-a');
    await page.reload();
    await page.waitForSelector('#enhance-row', { state: 'visible' });
    expect(await page.inputValue('#operator')).toBe('dr-a');
    expect(await page.isChecked('#enhance')).toBe(true);
    expect(await speckle(page)).toBeLessThan(0.8 * raw);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
