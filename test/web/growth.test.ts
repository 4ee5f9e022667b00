/**
 * Issue 18, growth per patient, in a real Chromium against a real daemon (simulated probe), at 1280×800 and
 * 820×1180: the page opens on the open exam's patient and says whose it is; another patient is chosen by
 * name; their name and ID are over the chart and on it; each visit's row says the HC plotted and the capture
 * it comes from — the one the clinician corrected, not a later unconfirmed capture — and an unconfirmed
 * visit is listed but not plotted.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { CHROMIUM } from './breast-replay.js';
import { VIEWPORTS, clinicianPage } from './live-page-helpers.js';
import { type CaptureJson, apiCapture, apiCorrectHc, apiExam } from './record-helpers.js';
import { ensureTestBuild, testUi } from './test-build.js';

describe.skipIf(!existsSync(CHROMIUM))('growth per patient in Chromium', () => {
  let d: TestDaemon;
  let browser: Browser;
  let corrected: CaptureJson;
  beforeAll(async () => {
    ensureTestBuild();
    d = await startTestDaemon(tempDir(), { drivers: { simulated: { fps: 10 } } }, [], testUi);
    await waitForHealth(d.url, 200, 60000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    const patient = { name: 'PETIT^Lou', id: 'GROW-7', birthDate: '19930704', sex: 'F' };
    const first = await apiExam(d, { patient, datingGaWeeks: 20 });
    corrected = await apiCapture(d, first);
    await apiCorrectHc(d, corrected, 172);
    await apiCapture(d, first); // captured after the corrected one, never confirmed: not the visit's value
    const second = await apiExam(d, { patient, datingGaWeeks: 24 });
    await apiCorrectHc(d, await apiCapture(d, second), 221);
    await apiCapture(d, await apiExam(d, { patient, datingGaWeeks: 28 })); // nothing confirmed
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  for (const viewport of VIEWPORTS) {
    it(`the chart says whose it is and plots the confirmed captures, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      const { context, page } = await clinicianPage(browser, d, viewport, errors);
      // an exam open for another patient: the growth page opens on that patient, named
      await page.waitForSelector('#p-given');
      await page.fill('#p-name', 'Autre');
      await page.fill('#p-id', `OTHER-${viewport.width}`);
      await page.fill('#p-ga', '30');
      await page.tap('#start');
      await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
      await page.tap('#tabs .tab[data-view="growth"]');
      await page.waitForFunction((id) => document.getElementById('growth-patient')?.textContent?.includes(id), `OTHER-${viewport.width}`);
      expect(await page.textContent('#growth-note')).toBe('No visit of this patient has a confirmed HC and a dating GA yet');

      await page.fill('#growth-search', 'petit');
      await page.tap('#growth-choices button[data-pick="GROW-7"]');
      await page.waitForFunction(() => document.getElementById('growth-patient')?.dataset.patientId === 'GROW-7' && document.getElementById('growth-visits'));
      expect(await page.textContent('#growth-patient')).toBe('PETIT, Lou · ID GROW-7 · born 04/07/1993');
      expect(JSON.parse((await page.getAttribute('#growth-chart', 'data-points'))!)).toEqual([
        [20, 172],
        [24, 221],
      ]);
      const rows = page.locator('#growth-visits tbody tr');
      expect(await rows.count()).toBe(3);
      expect(await page.locator('#growth-visits tbody tr').evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.state, (tr as HTMLElement).dataset.plotted]))).toEqual([
        ['corrected', 'true'],
        ['corrected', 'true'],
        ['unverified', 'false'],
      ]);
      const first = await rows.nth(0).locator('td').allTextContents();
      expect(first[2]).toBe('172.0 mm');
      expect(first[4]).toBe(`corrected capture · ${corrected.id.slice(0, 8)}`);
      expect((await rows.nth(2).locator('td').allTextContents())[4]).toMatch(/^not confirmed: not plotted · [0-9a-f]{8}$/);
      // the name is written on the chart itself: light title pixels across its top band
      const titlePixels = await page.evaluate(() => {
        const c = document.getElementById('growth-chart') as HTMLCanvasElement;
        const px = c.getContext('2d')!.getImageData(56, 8, 300, 22).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i]! > 200 && px[i + 1]! > 200 && px[i + 2]! > 200) n++;
        return n;
      });
      expect(titlePixels).toBeGreaterThan(100);
      // chart and table fit the width: nothing scrolls sideways
      const fit = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth, document.getElementById('growth-chart')!.getBoundingClientRect().right]);
      expect(fit[0]).toBeLessThanOrEqual(fit[1]!);
      expect(fit[2]).toBeLessThanOrEqual(fit[1]!);
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
