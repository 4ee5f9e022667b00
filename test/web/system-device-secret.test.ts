/**
 * The device secret on disk going wrong while the daemon runs (it read the secret once, at start): removed, torn
 * or replaced, the next restart would lock everyone out or not start, and backups miss it. A real daemon and a
 * real Chromium: the technician's System page says so in plain words with what to do, and stops once the file
 * is put back; /api/health carries deviceSecretWarning to a technician and an admin only, never to a clinician
 * or without an account (the health allow-list), and never the secret itself. A backup from the page (the stick
 * a real tmpfs, where mounting is allowed) is refused while the secret is a replaced one (it would seal the wrong
 * one), and written without a torn one, the page saying so.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestAuth, addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium, openAsTechnician } from './system-technician.js';
import { ensureTestBuild, testUi } from './test-build.js';

const root = tempDir('sonoedge-system-secret-');
const media = join(root, 'media');
const stick = join(media, 'usb0');
mkdirSync(stick, { recursive: true });
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'usbstick', stick]).status === 0;
if (!mounted) console.warn('the backup part is skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');

beforeAll(() => ensureTestBuild(), 180_000);

describe.skipIf(!haveChromium)('System page: the device secret on disk', () => {
  const file = join(root, 'data', 'keys', 'device.secret');
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;
  let original = '';
  const as: Partial<Record<'clinician' | 'technician' | 'admin', TestAuth>> = {};

  beforeAll(async () => {
    d = await startTestDaemon(root, { storage: { backupRoots: [media] } }, [], testUi);
    await waitForHealth(d.url, 200, 60_000);
    as.admin = d.auth;
    as.technician = await addTokenUser(d.runtime.access.services, 'technician', 'tech-tess');
    as.clinician = await addTokenUser(d.runtime.access.services, 'clinician', 'nurse-nia');
    original = readFileSync(file, 'utf8');
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-tess', 'system');
  }, 120_000);
  afterAll(async () => {
    if (original) writeFileSync(file, original, { mode: 0o600 });
    await browser?.close();
    await d?.close();
    if (mounted) spawnSync('umount', ['--lazy', stick]);
  });

  /** Taps the stick's backup button; the panel's message once the daemon has answered, and its class. */
  async function backUp(): Promise<{ text: string; cls: string }> {
    await page.waitForSelector('#system-backup button.backup-go:not([disabled])', { timeout: 15_000 });
    await page.evaluate(() => (document.querySelector('#system-backup .backup-message')!.textContent = ''));
    await page.click('#system-backup button.backup-go');
    await page.waitForFunction(() => /ok|error/.test(document.querySelector('#system-backup .backup-message')!.className), undefined, { timeout: 30_000 });
    return page.evaluate(() => {
      const m = document.querySelector('#system-backup .backup-message')!;
      const r = { text: m.textContent ?? '', cls: m.className };
      m.className = 'backup-message';
      return r;
    });
  }

  /** The health field as `who` reads it; undefined when absent. */
  async function warningFor(who: 'clinician' | 'technician' | 'admin' | 'anonymous'): Promise<unknown> {
    const authorization = who === 'anonymous' ? '' : as[who]!.headers.authorization;
    const h = (await (await fetch(d.url + '/api/health', { headers: { authorization } })).json()) as { deviceSecretWarning?: unknown };
    return h.deviceSecretWarning;
  }
  const shown = (): Promise<string> => page.evaluate(() => (document.getElementById('device-secret-warning')!.hidden ? '' : document.getElementById('device-secret-warning')!.textContent!));
  async function waitShown(re: RegExp): Promise<string> {
    await page.waitForFunction(
      (src) => {
        const el = document.getElementById('device-secret-warning');
        return el !== null && !el.hidden && new RegExp(src).test(el.textContent ?? '');
      },
      re.source,
      { timeout: 15_000 },
    );
    return shown();
  }

  it('says nothing while the secret on disk is the one running', async () => {
    await page.waitForFunction(() => document.getElementById('system-info')!.textContent!.includes('simulated'), undefined, { timeout: 15_000 });
    expect(await shown()).toBe('');
    for (const who of ['technician', 'admin', 'clinician', 'anonymous'] as const) expect(await warningFor(who), who).toBeUndefined();
  });

  it('a replaced, then a torn, then a missing secret: said to technician and admin with what to do, never to a clinician or anonymous', async () => {
    const other = randomBytes(32).toString('hex');
    writeFileSync(file, other + '\n', { mode: 0o600 });
    const replaced = await waitShown(/not the one sonoedge runs with/);
    expect(replaced).toContain(`The device secret (${file})`);
    expect(replaced).toMatch(/nobody could sign in .* Do not restart or switch off the device: put the original file back/);
    expect(replaced).not.toContain(other);
    expect(replaced).not.toContain(original.trim());
    expect(await warningFor('technician')).toEqual({ problem: 'replaced', where: file });
    expect(await warningFor('admin')).toEqual({ problem: 'replaced', where: file });
    expect(await warningFor('clinician')).toBeUndefined();
    expect(await warningFor('anonymous')).toBeUndefined();
    if (mounted) {
      const refused = await backUp();
      expect(refused.cls).toBe('backup-message error');
      expect(refused.text).toMatch(/is not the one sonoedge runs with .* Put the original file back .* Nothing was written/);
      expect(readdirSync(stick)).toEqual([]);
    }

    writeFileSync(file, original.slice(0, 20)); // torn by a power cut
    expect(await waitShown(/is damaged and cannot be read/)).toMatch(/would not start again, and a backup written now does not hold it/);
    expect(await warningFor('technician')).toEqual({ problem: 'unreadable', where: file });
    expect(await warningFor('clinician')).toBeUndefined();
    if (mounted) {
      const without = await backUp();
      expect(without.cls).toBe('backup-message error');
      expect(without.text).toMatch(/^Backup written to .*But it does NOT hold the device secret, which could not be read: restored alone, nobody could sign in/);
      const [dir] = readdirSync(stick);
      const manifest = JSON.parse(readFileSync(join(stick, dir!, 'manifest.json'), 'utf8')) as { deviceSecret: unknown; deviceSecretWarning?: string };
      expect(manifest.deviceSecret).toBeNull();
      expect(manifest.deviceSecretWarning).toMatch(/torn by a power cut/);
    }

    rmSync(file);
    expect(await waitShown(/has disappeared/)).toMatch(/after a restart nobody could sign in/);
    expect(await warningFor('admin')).toEqual({ problem: 'missing', where: file });
    expect(await warningFor('anonymous')).toBeUndefined();
  });

  it('goes once the original file is back', async () => {
    writeFileSync(file, original, { mode: 0o600 });
    await page.waitForFunction(() => document.getElementById('device-secret-warning')!.hidden, undefined, { timeout: 15_000 });
    expect(await warningFor('technician')).toBeUndefined();
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });
});
