/**
 * Backup to a USB stick from the System page, in a real Chromium against a real daemon: the "stick" is a real
 * tmpfs mounted under a backup root (skipped where mounting is not allowed). No stick: the page says to plug
 * one in; mounted: it appears by itself (the page refreshes), one tap writes the backup and the page says
 * where, and the copy on the stick is the checked, encrypted backup.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBackup } from '../../src/service/restore.js';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium, openAsTechnician } from './system-technician.js';
import { ensureTestBuild, testUi } from './test-build.js';

const root = tempDir('sonoedge-system-backup-');
const media = join(root, 'media');
const stick = join(media, 'usb0');
mkdirSync(stick, { recursive: true });
const canMount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'probe', stick]).status === 0 && spawnSync('umount', [stick]).status === 0;
if (!canMount) console.warn('System page backup test skipped: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)');

beforeAll(() => ensureTestBuild(), 180_000);

describe.skipIf(!haveChromium || !canMount)('System page: backup to a USB stick', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    d = await startTestDaemon(root, { models: [], storage: { backupRoots: [media] } }, [], testUi);
    await waitForHealth(d.url, 200, 60_000);
    await addTokenUser(d.runtime.access.services, 'technician', 'tech-bob');
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-bob', 'system');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
    spawnSync('umount', ['--lazy', stick]);
  });

  it('asks for a stick, shows it once mounted, writes the backup with one tap and says where', async () => {
    await page.waitForFunction(() => document.getElementById('system-backup')?.textContent?.includes('No USB stick found'), undefined, { timeout: 15_000 });
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'usbstick', stick]).status).toBe(0);
    // no reload: the page's own refresh finds it
    await page.waitForSelector('#system-backup button.backup-go', { timeout: 15_000 });
    expect(await page.textContent('#system-backup')).toContain(`${stick} · usbstick`);
    await page.click('#system-backup button.backup-go');
    await page.waitForFunction(() => document.querySelector('.backup-message')?.className === 'backup-message ok', undefined, { timeout: 30_000 });
    const message = (await page.textContent('.backup-message'))!;
    expect(message).toMatch(new RegExp(`^Backup written to ${stick}/sonoedge-backup-\\d{8}T\\d{6}Z \\([\\d.]+ MB, 0 exams\\)\\. It is encrypted`));
    const dirs = readdirSync(stick).filter((f) => f.startsWith('sonoedge-backup-'));
    expect(dirs).toHaveLength(1);
    const key = readFileSync(join(root, 'data', 'keys', 'records.key'), 'utf8').trim();
    expect(verifyBackup(join(stick, dirs[0]!), join(stick, dirs[0]!, 'records.db'), key).format).toBe('sonoedge-backup');
  });
});
