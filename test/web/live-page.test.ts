/**
 * The live page in a real Chromium against a real daemon on loopback: frames arrive on the canvas and
 * change frame to frame, the overlay and measurements show, nothing is logged as an error.
 * Needs `npm run build` (web-ui/dist) and Debian's chromium; scripts/test.sh provides both.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/daemon.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const built = existsSync(join(packageRoot(), 'web-ui', 'dist', 'index.html'));
const ready = existsSync(CHROMIUM) && built;
if (!ready) console.warn(`Skipping browser tests: ${existsSync(CHROMIUM) ? '' : 'no /usr/bin/chromium (apt-get install chromium); '}${built ? '' : 'web UI not built (npm run build)'}`);

describe.skipIf(!ready)('live page in Chromium', () => {
  let d: Daemon;
  let browser: Browser;
  const artifacts = join(packageRoot(), 'test-artifacts');
  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    d = await startTestDaemon(tempDir());
    await waitForHealth(d.url, 200);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('draws live frames with the overlay and measurements, without console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(d.url + '/');
    await page.waitForFunction(() => document.getElementById('hc')?.textContent?.includes('mm'), undefined, { timeout: 20000 });
    const sample = (): Promise<number[]> => page.evaluate(() => {
      const c = document.getElementById('frame') as HTMLCanvasElement;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const out: number[] = [];
      for (let i = 0; i < px.length; i += 4 * 997) out.push(px[i]!);
      return out;
    });
    const a = await sample();
    await page.waitForTimeout(300);
    const b = await sample();
    expect(a.some((v, i) => v !== b[i])).toBe(true);
    expect(await page.textContent('#provider')).toContain('cpu');
    expect(await page.isHidden('#stale')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'live-view.png') });
    expect(errors).toEqual([]);
  });
});
