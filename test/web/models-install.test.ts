/**
 * The model install screen in a real Chromium against a real daemon that trusts a test signing key: a
 * signed package uploaded from the page installs with every verification step ticked and the new version
 * serving (GET /api/models, the screen's history names the technician); a package with one flipped byte is
 * refused with its coded step shown, and the installed version keeps serving.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { SHIPPED, type Signer, makeSigner, signedPackage } from '../models/updates/fixtures.js';
import { haveChromium, launchChromium, openAsTechnician } from './system-technician.js';
import { ensureTestBuild, testUi } from './test-build.js';

beforeAll(() => ensureTestBuild(), 180_000);

describe.skipIf(!haveChromium)('model install screen (technician)', () => {
  const root = tempDir('sonoedge-models-page-');
  const bundled = join(root, 'bundled');
  let signer: Signer;
  let d: TestDaemon;
  let browser: Browser;
  let page: Page & { errors: string[] };
  const active = async (): Promise<string> => {
    const r = (await (await fetch(d.url + '/api/models')).json()) as { models: Array<{ id: string; active: { version: string } }> };
    return r.models.find((m) => m.id === 'fetal-head')!.active.version;
  };

  beforeAll(async () => {
    cpSync(join(SHIPPED, 'fetal-head'), join(bundled, 'fetal-head'), { recursive: true });
    signer = makeSigner(join(root, 'keys'));
    d = await startTestDaemon(root, { modelsDir: bundled, models: [{ id: 'fetal-head' }] }, [
      [['inference', 'providers'], ['cpu']],
      [['modelUpdates', 'trustedKeys'], [signer.pubPath]],
      [['modelUpdates', 'healthWindow', 'maxLatencyMs'], 600_000], // no latency verdicts on a shared test machine
    ], testUi);
    await waitForHealth(d.url, 200, 60_000);
    await addTokenUser(d.runtime.access.services, 'technician', 'tech-mo');
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-mo', 'models');
    await page.waitForSelector('.model-card[data-model="fetal-head"]', { timeout: 20_000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
  });

  it('installs a signed package from the page, every step ticked, the new version serving', async () => {
    const file = join(root, 'fetal-head-1.1.0.sonomodel');
    writeFileSync(file, await signedPackage(root, signer, '1.1.0'));
    await page.setInputFiles('#model-file', file);
    await page.click('#model-install');
    await page.waitForFunction(() => document.getElementById('model-message')!.className === 'ok' && /1\.1\.0/.test(document.getElementById('model-message')!.textContent!), undefined, { timeout: 120_000 });
    const steps = await page.$$eval('.install-steps li', (li) => li.map((x) => `${(x as HTMLElement).dataset.step}:${x.className}`));
    expect(steps).toEqual(['extract', 'signature', 'hashes', 'manifest', 'compatibility', 'load', 'testVectors', 'activate'].map((s) => `${s}:step step-ok`));
    expect(await page.evaluate(() => (document.getElementById('model-progress') as HTMLProgressElement).value)).toBe(1);
    expect(await active()).toBe('1.1.0');
    await page.waitForFunction(() => /tech-mo/.test(document.querySelector('.model-card[data-model="fetal-head"] .model-history')?.textContent ?? ''), undefined, { timeout: 10_000 });
    expect(await page.textContent('.model-card[data-model="fetal-head"] .serving')).toContain('1.1.0');
  }, 180_000);

  it('shows a package with a flipped byte refused at its coded step; the installed version keeps serving', async () => {
    const bad = Buffer.from(await signedPackage(root, signer, '1.2.0'));
    bad[bad.length - 3000] = bad[bad.length - 3000]! ^ 4;
    const file = join(root, 'fetal-head-1.2.0-bad.sonomodel');
    writeFileSync(file, bad);
    await page.setInputFiles('#model-file', file);
    await page.click('#model-install');
    await page.waitForFunction(() => document.getElementById('model-message')!.className === 'error', undefined, { timeout: 60_000 });
    expect(await page.textContent('#model-message')).toMatch(/Refused at “(extract|signature|hashes)”: .+ \(SONO_MODEL_[A-Z_]+\)/);
    const failed = await page.$$eval('.install-steps li.step-failed', (li) => li.map((x) => [(x as HTMLElement).dataset.step, x.textContent]));
    expect(failed).toHaveLength(1);
    expect(failed[0]![0]).toMatch(/^(extract|signature|hashes)$/);
    expect(failed[0]![1]).toMatch(/SONO_MODEL_/);
    expect(await page.$$eval('.install-steps li.step-skipped', (li) => li.map((x) => (x as HTMLElement).dataset.step))).toContain('activate');
    expect(await active()).toBe('1.1.0');
    expect(page.errors).toEqual([]);
  }, 120_000);
});
