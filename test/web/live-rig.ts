/**
 * The set-up every live-page browser test repeats: the page's test build, a real daemon with the config the
 * describe block needs, and a Chromium; registered as the calling describe block's beforeAll/afterAll.
 */
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { type TestDaemon, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { CHROMIUM } from './breast-replay.js';
import { ensureTestBuild, testUi } from './test-build.js';

/** The simulated probe at 15 frames a second (a head of 175 mm). */
export const SIMULATED: Record<string, unknown> = { drivers: { simulated: { fps: 15 } } };

/** What the describe block's tests use; set once its beforeAll has run. */
export interface LiveRig {
  readonly d: TestDaemon;
  readonly browser: Browser;
}

/**
 * Starts, before the calling describe block's tests, a daemon with the config `config` gives (called then, so it
 * may write replay files) serving the test build, waits for it to be healthy and launches Chromium; closes both
 * after the block.
 */
export function liveRig(config: () => Record<string, unknown> | Promise<Record<string, unknown>>): LiveRig {
  const rig: { d?: TestDaemon; browser?: Browser } = {};
  beforeAll(async () => {
    ensureTestBuild();
    const d = await startTestDaemon(tempDir(), await config(), [], testUi);
    rig.d = d;
    await waitForHealth(d.url, 200, 60000);
    rig.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  }, 120_000);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.d?.close();
  });
  return {
    get d(): TestDaemon {
      if (!rig.d) throw new Error('The live rig has no daemon: use it inside a test of the describe block that set it up');
      return rig.d;
    },
    get browser(): Browser {
      if (!rig.browser) throw new Error('The live rig has no browser: use it inside a test of the describe block that set it up');
      return rig.browser;
    },
  };
}
