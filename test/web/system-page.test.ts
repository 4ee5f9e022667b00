/**
 * The technician's System page in a real Chromium against a real daemon: version, source and calibration
 * scope shown; the page refreshes itself (a source switched from elsewhere appears without a reload); a
 * switch to a replay folder under the media folder made from the page's own form; a folder outside the
 * media folders refused with the daemon's message.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/package-root.js';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium, openAsTechnician } from './system-technician.js';
import { ensureTestBuild, testUi } from './test-build.js';

beforeAll(() => ensureTestBuild(), 180_000);

describe.skipIf(!haveChromium)('System page (technician)', () => {
  const root = tempDir('sonoedge-system-page-');
  const media = join(root, 'media');
  const folder = join(media, 'clinic-a');
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;
  const info = (): Promise<string> => page.textContent('#system-info').then((s) => s ?? '');

  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 3; i++) {
      await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 40 * i, g: 60, b: 80 } } }).png().toFile(join(folder, `frame-${i}.png`));
    }
    d = await startTestDaemon(root, { media: { folders: [media], removable: false } }, [], testUi);
    await waitForHealth(d.url, 200, 60_000);
    await addTokenUser(d.runtime.access.services, 'technician', 'tech-tess');
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-tess', 'system');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('shows the software version, the source and the calibration scope', async () => {
    const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
    await page.waitForFunction(() => document.getElementById('system-info')!.textContent!.includes('simulated'), undefined, { timeout: 15_000 });
    const text = await info();
    expect(text).toContain('Software version');
    expect(text).toContain(version);
    expect(text).toMatch(/Calibration.*none: the source's own pixel size/);
    expect(await page.textContent('.sync-panel')).toContain('No sync target is configured.');
  });

  it('switches to a replay folder under the media folder from its form', async () => {
    await page.selectOption('#source-driver', 'replay');
    await page.fill('.source-fields input[name=path]', folder);
    await page.fill('.source-fields input[name=fps]', '4');
    await page.click('#source-apply');
    await page.waitForFunction(() => document.getElementById('source-message')!.textContent!.includes('replay'), undefined, { timeout: 15_000 });
    expect(await page.getAttribute('#source-message', 'class')).toBe('ok');
    const h = (await (await fetch(d.url + '/api/health')).json()) as { source: { driver: string } };
    expect(h.source.driver).toBe('replay');
    await page.waitForFunction(() => /replay/.test(document.getElementById('system-info')!.textContent!), undefined, { timeout: 15_000 });
  });

  it('shows the daemon\'s refusal of a folder outside the media folders', async () => {
    await page.selectOption('#source-driver', 'dicom');
    await page.selectOption('#source-driver', 'replay');
    await page.fill('.source-fields input[name=path]', root);
    await page.click('#source-apply');
    await page.waitForFunction(() => document.getElementById('source-message')!.className === 'error', undefined, { timeout: 15_000 });
    expect(await page.textContent('#source-message')).toContain('not under a media folder');
  });

  it('refreshes itself: a source switched elsewhere appears without a reload', async () => {
    const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));
    const r = await fetch(d.url + '/api/source', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ driver: 'simulated' }) });
    expect(r.status).toBe(200);
    await page.waitForFunction(() => /simulated/.test(document.getElementById('system-info')!.textContent!), undefined, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(marker); // the same document: no reload
  });
});
