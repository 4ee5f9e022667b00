/**
 * The live page in a real Chromium against a real daemon on loopback: frames arrive on the canvas and
 * change frame to frame, the overlay and measurements show, nothing is logged as an error.
 * Runs the page's test build (test-build.ts) and needs Debian's chromium; scripts/test.sh provides it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { signInContext } from '../helpers/auth.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { ensureTestBuild, testUi } from './test-build.js';
import { freePort } from '../helpers/orthanc.js';
import { CHROMIUM } from './breast-replay.js';
import { proposal, scrubTo } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';
import { touchDrag } from './touch.js';

const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const ready = existsSync(CHROMIUM);
if (!ready) console.warn('Skipping browser tests: no /usr/bin/chromium (apt-get install chromium)');
const artifacts = join(packageRoot(), 'test-artifacts');
beforeAll(() => {
  ensureTestBuild();
  mkdirSync(artifacts, { recursive: true });
}, 120_000);

describe.skipIf(!ready)('live page in Chromium', () => {
  const rig = liveRig(() => ({}));

  it('draws live frames with the overlay and measurements, without console errors', async () => {
    const { d, browser } = rig;
    const context = await browser.newContext({ viewport: { width: 1024, height: 600 } });
    await signInContext(context, d.url);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(d.url + '/');
    await page.waitForFunction(() => document.getElementById('hc')?.textContent?.includes('mm'), undefined, { timeout: 20000 });
    // the canvas keeps changing (live frames drawn): wait for a sample unlike the first, not a fixed sleep that a
    // loaded machine can outlast without a new frame
    type Sampler = { sonoSampleCanvas: () => number[] };
    await page.evaluate(() => {
      (window as unknown as Sampler).sonoSampleCanvas = () => {
        const c = document.getElementById('frame') as HTMLCanvasElement;
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const out: number[] = [];
        for (let i = 0; i < px.length; i += 4 * 997) out.push(px[i]!);
        return out;
      };
    });
    const a = await page.evaluate(() => (window as unknown as Sampler).sonoSampleCanvas());
    await page.waitForFunction((first) => (window as unknown as Sampler).sonoSampleCanvas().some((v, i) => v !== first[i]), a, { timeout: 20000 });
    expect(await page.textContent('#provider')).toContain('cpu');
    expect(await page.isHidden('#stale')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'live-view.png') });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!ready)('freeze, scrub, correct with touch, confirm', () => {
  const rig = liveRig(() => ({}));

  it('the record holds the AI value and the clinician-corrected value, who and when', async () => {
    const { d, browser } = rig;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
    // admin: this flow both decides on measurements (clinician) and calibrates the source (technician)
    await signInContext(context, d.url);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(d.url + '/');
    expect(await page.inputValue('#operator')).toBe('admin'); // the signed-in name, read-only
    await page.fill('#p-id', 'TOUCH-1');
    await page.fill('#p-ga', '20');
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
    await page.waitForFunction(() => document.getElementById('hc')?.textContent?.includes('mm'), undefined, { timeout: 20000 });
    // a kept frame with a result to review before Freeze (a sleep gave no such promise on a loaded machine)
    await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: 20000 });
    await page.tap('#freeze');
    expect(await page.isVisible('#frozen-badge')).toBe(true);
    // scrub through the cine, then come back to the best frame
    await scrubTo(page, 0);
    await page.tap('#best');
    const before = await page.textContent('#hc');
    // drag the major-axis handle outward with a real touch sequence
    const handle = await page.evaluate(() => {
      const c = document.getElementById('frame') as HTMLCanvasElement;
      return { rect: c.getBoundingClientRect().toJSON() as DOMRect, w: c.width, h: c.height };
    });
    const cdp = await context.newCDPSession(page);
    const toPage = (x: number, y: number): { x: number; y: number } => ({ x: handle.rect.left + (x / handle.w) * handle.rect.width, y: handle.rect.top + (y / handle.h) * handle.rect.height });
    const e = (await proposal(page))!;
    const a = (e.angleDeg * Math.PI) / 180;
    const start = toPage(e.cx + Math.cos(a) * e.semiMajor, e.cy + Math.sin(a) * e.semiMajor);
    const end = toPage(e.cx + Math.cos(a) * (e.semiMajor + 20), e.cy + Math.sin(a) * (e.semiMajor + 20));
    await touchDrag(cdp, [start], [end], 5);
    const after = await page.textContent('#hc');
    expect(after).not.toBe(before);
    expect(await page.textContent('#state')).toMatch(/edited/);
    await page.screenshot({ path: join(artifacts, 'measure-edited.png') });
    await page.tap('#confirm');
    await page.waitForFunction(() => document.getElementById('state')!.classList.contains('saved'), undefined, { timeout: 10000 });
    // two-point calibration made in the UI: tap two points 100 frame pixels apart, say they are 25 mm apart
    await page.tap('#calibrate');
    const p1 = toPage(100, 100);
    const p2 = toPage(200, 100);
    await page.mouse.click(p1.x, p1.y);
    await page.mouse.click(p2.x, p2.y);
    await page.fill('#cal-mm', '25');
    page.once('dialog', (q) => void q.accept()); // the simulated probe declares its spacing: the page asks before replacing it
    await page.tap('#cal-apply');
    await page.waitForFunction(() => document.getElementById('action-message')!.textContent!.includes('mm/px'));
    const cal = (await (await fetch(d.url + '/api/source/calibration')).json()) as { pixelSpacing: { x: number } };
    expect(cal.pixelSpacing.x).toBeCloseTo(0.25, 2);
    const exams = (await (await fetch(d.url + '/api/exams')).json()) as Array<{ id: string }>;
    const exam = (await (await fetch(`${d.url}/api/exams/${exams[0]!.id}`)).json()) as { captures: Array<{ measurements: Array<{ kind: string; aiValue: number; finalValue: number; state: string; decidedBy: string; decidedAt: string }> }> };
    const hc = exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect(hc.state).toBe('corrected');
    expect(hc.finalValue).toBeGreaterThan(hc.aiValue);
    expect(hc.decidedBy).toBe('admin'); // the signed-in user
    expect(Date.parse(hc.decidedAt)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!ready)('screens, growth chart and reconnection', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('exam list with sync state, growth chart with earlier exams, system and models; French', async () => {
    const d = await startTestDaemon(tempDir(), {}, [], testUi);
    try {
      await waitForHealth(d.url, 200);
      for (let i = 0; i < 50 && !(await fetch(d.url + '/api/live/best')).ok; i++) await new Promise((r) => setTimeout(r, 200));
      const post = async (u: string, body: unknown): Promise<Record<string, unknown>> => (await (await fetch(d.url + u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
      for (const [ga, hc] of [[20, 172], [26, 236], [32, 270]] as const) {
        const e = await post('/api/exams', { patient: { id: 'CHART-1', name: 'CHART^ONE' }, datingGaWeeks: ga });
        const c = await post(`/api/exams/${e.id as string}/captures`, {});
        const m = (c.measurements as Array<{ id: string; kind: string }>).find((x) => x.kind === 'hc')!;
        await post(`/api/measurements/${m.id}/decision`, { decision: 'corrected', value: hc, by: 'dr' });
        await post(`/api/exams/${e.id as string}/close`, {});
      }
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await signInContext(context, d.url);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(d.url + '/');
      await page.click('[data-view=exams]');
      await page.waitForSelector('#exam-rows tr');
      expect(await page.locator('#exam-rows tr').count()).toBe(3);
      expect(await page.textContent('#exam-rows')).toContain('not sent'); // no sync target configured (sync state none, in words)
      await page.screenshot({ path: join(artifacts, 'exams.png') });
      await page.click('[data-view=growth]');
      // the note starts empty, so it cannot say the chart is drawn; the flags are set right after drawing
      await page.waitForFunction(() => document.querySelector('#growth-flags li') !== null);
      expect(await page.textContent('#growth-note')).toBe('');
      const cyan = await page.evaluate(() => {
        const c = document.getElementById('growth-chart') as HTMLCanvasElement;
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i]! < 60 && px[i + 1]! > 180 && px[i + 2]! > 200) n++;
        return n;
      });
      expect(cyan).toBeGreaterThan(200); // the patient's three visits and their line
      expect(await page.textContent('#growth-flags')).toMatch(/slowed|below the 10th/);
      await page.screenshot({ path: join(artifacts, 'growth.png') });
      await page.click('[data-view=system]');
      await page.waitForFunction(() => document.getElementById('model-list')!.textContent!.includes('fetal-head'));
      expect(await page.textContent('#system-info')).toContain('cpu');
      await page.waitForFunction(() => (document.getElementById('source-driver') as HTMLSelectElement).options.length >= 5);
      expect(await page.inputValue('#source-driver')).toBe('simulated');
      await page.screenshot({ path: join(artifacts, 'system.png') });
      await page.selectOption('#lang', 'fr');
      expect(await page.textContent('[data-view=growth]')).toBe('Croissance');
      await page.click('[data-view=live]');
      await page.screenshot({ path: join(artifacts, 'live-fr.png') });
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await d.close();
    }
  });

  it('reconnects by itself after a daemon restart and never shows a stale frame as live', async () => {
    const dir = tempDir();
    const port = await freePort();
    let d = await startTestDaemon(dir, {}, [[['server', 'port'], port]], testUi);
    const context = await browser.newContext();
    await signInContext(context, d.url);
    const page = await context.newPage();
    try {
      await page.goto(d.url + '/');
      await page.waitForFunction(() => document.getElementById('conn')!.classList.contains('live'));
      await d.close();
      await page.waitForFunction(() => !document.getElementById('stale')!.hidden, undefined, { timeout: 10000 });
      expect(await page.getAttribute('#conn', 'class')).toContain('down');
      d = await startTestDaemon(dir, {}, [[['server', 'port'], port]], testUi);
      await page.waitForFunction(() => document.getElementById('conn')!.classList.contains('live'), undefined, { timeout: 20000 });
      await page.waitForFunction(() => document.getElementById('stale')!.hidden, undefined, { timeout: 10000 });
    } finally {
      await context.close();
      await d.close();
    }
  });
});
