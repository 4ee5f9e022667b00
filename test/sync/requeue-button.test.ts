/**
 * The System page's "send the refused again" button in a real Chromium against a real daemon whose real sync
 * process delivers to a real HTTP STOW-RS peer: the peer refuses two instances (0x0122 SOP Class not
 * supported), the page shows the target with the button; once the PACS is fixed, the technician's click
 * re-queues them (POST /api/sync/requeue) and they are delivered.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/sync/outbox.js';
import { addTokenUser } from '../helpers/auth.js';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { haveChromium, launchChromium, openAsTechnician } from '../web/system-technician.js';
import { ensureTestBuild, testUi } from '../web/test-build.js';
import { type Peer, dicomAnswer, instances, stowPeer, until } from './stow-peer.js';

beforeAll(() => ensureTestBuild(), 180_000);

describe.skipIf(!haveChromium)('re-queuing refused items from the System page', () => {
  let d: TestDaemon;
  let browser: Browser;
  let page: Page;
  let peer: Peer;
  let fixed = false;

  beforeAll(async () => {
    peer = await stowPeer((_n, uids) =>
      fixed
        ? { status: 200, body: dicomAnswer(uids, []) }
        : {
            status: 409,
            body: dicomAnswer(
              [],
              uids.map((u) => [u, 0x0122]),
            ),
          },
    );
    d = await startTestDaemon(tempDir('sonoedge-requeue-ui-'), { sync: { targets: [{ name: 'pacs', url: peer.url }], retryInitialMs: 50, retryMaxMs: 400, pollMs: 100 } }, [], testUi);
    await waitForHealth(d.url, 200, 60_000);
    await addTokenUser(d.runtime.access.services, 'technician', 'tech-rita');
    d.runtime.db.prepare('INSERT INTO exams (id, created_at) VALUES (?, ?)').run('e-ui', new Date().toISOString());
    new Outbox(d.runtime.db).enqueue('pacs', 'e-ui', instances(2));
    d.runtime.sync?.worker.poke();
    browser = await launchChromium();
    page = await openAsTechnician(browser, d.url, 'tech-rita', 'system');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await d?.close();
    await peer?.close();
  });

  it('shows the refused items with a button; a click once the PACS is fixed sends them again', async () => {
    const button = page.locator('.sync-panel button.requeue');
    await button.waitFor({ timeout: 30_000 });
    expect(await button.textContent()).toBe('Send the 2 refused again');
    fixed = true;
    await button.click();
    const outbox = new Outbox(d.runtime.db);
    await until('delivered', () => outbox.items().every((i) => i.state === 'sent'), 30_000);
    await page.waitForFunction(() => !document.querySelector('.sync-panel button.requeue'), undefined, { timeout: 15_000 });
    expect(d.runtime.access.services.audit.list({ action: 'sync.requeue' }).map((a) => [a.user, a.target])).toEqual([['tech-rita', 'pacs']]);
  });
});
