/**
 * The System page shows a sync target removed from sync.targets that still has unsent items (state orphaned,
 * SONO_SYNC_TARGET_REMOVED), in a real Chromium against a real daemon whose real sync process delivers to a
 * real HTTP STOW-RS peer; the technician sends its items to the configured target (delivered) and discards
 * another removed target's items after confirming (src/sync/orphans.ts). Before, neither target was shown.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/sync/outbox.js';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { type Peer, dicomAnswer, instances, stowPeer, until } from '../sync/stow-peer.js';
import { haveChromium, launchChromium, openAsTechnician } from './system-technician.js';
import { ensureTestBuild, testUi } from './test-build.js';

beforeAll(() => ensureTestBuild(), 180_000);

describe.skipIf(!haveChromium)('a removed sync target on the System page', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;
  let peer: Peer;
  let outbox: Outbox;

  beforeAll(async () => {
    peer = await stowPeer((_n, uids) => ({ status: 200, body: dicomAnswer(uids, []) }));
    d = await startTestDaemon(tempDir('sonoedge-orphan-ui-'), { sync: { targets: [{ name: 'pacs-new', url: peer.url }], retryInitialMs: 50, retryMaxMs: 400, pollMs: 100 } }, [], testUi);
    await waitForHealth(d.url, 200, 60_000);
    await addTokenUser(d.runtime.access.services, 'technician', 'tech-rita');
    outbox = new Outbox(d.runtime.db);
    for (const [exam, target] of [
      ['e-renamed', 'pacs'],
      ['e-gone', 'old-cloud'],
    ] as const) {
      d.runtime.db.prepare('INSERT INTO exams (id, created_at) VALUES (?, ?)').run(exam, new Date().toISOString());
      outbox.enqueue(target, exam, instances(2));
    }
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-rita', 'system');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
    await peer?.close();
  });

  it('shows each removed target with its reason; Send sends them to the configured target, Discard (confirmed) deletes them', async () => {
    const pacs = page.locator('.sync-panel li.target-orphaned', { hasText: 'SONO_SYNC_TARGET_REMOVED: no sync target is named "pacs"' });
    await pacs.waitFor({ timeout: 30_000 });
    expect(await page.locator('.sync-panel li.target-orphaned').count()).toBe(2);
    expect(await pacs.locator('select.orphan-to').inputValue()).toBe('pacs-new');
    await pacs.locator('button.orphan-requeue').click();
    await until('delivered to pacs-new', () => outbox.items().filter((i) => i.target === 'pacs-new' && i.state === 'sent').length === 2 || undefined, 30_000);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator('.sync-panel li.target-orphaned', { hasText: '"old-cloud"' }).locator('button.orphan-discard').click();
    await page.locator('.sync-panel li.target-orphaned').first().waitFor({ state: 'detached', timeout: 30_000 });
    expect(outbox.items().map((i) => [i.target, i.examId, i.state])).toEqual([
      ['pacs-new', 'e-renamed', 'sent'],
      ['pacs-new', 'e-renamed', 'sent'],
    ]);
    expect(d.runtime.access.services.audit.list({ action: 'sync.orphans.discard' }).map((a) => a.user)).toEqual(['tech-rita']);
  });
});
