/**
 * The live page reads each frame message's header once (web-ui/src/main.ts onFrame), and passes it on: the cine
 * takes its capture time, the canvas its size and pixel offset, a result drawn on the shown frame its header.
 * Before, the header of every frame was decoded three times (onFrame, Cine.push for the capture time, drawPixels)
 * and once more per result: a DataView and a header object each time, on the hot path.
 *
 * Real Chromium against a real daemon (the simulated probe at 15 fps, the head model): the page's DataView
 * constructor and WebSocket are wrapped before its script runs, and the DataViews made are counted against
 * the binary frames received.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage } from './live-page-helpers.js';
import { SIMULATED, liveRig } from './live-rig.js';

interface Counts {
  views: number;
  frames: number;
  results: number;
}

describe.skipIf(!existsSync(CHROMIUM))('live page: one header read per frame', () => {
  const rig = liveRig(() => SIMULATED);

  it('makes at most one DataView per frame received, results included', async () => {
    const errors: string[] = [];
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors, {
      beforeOpen: (p) =>
        void p.addInitScript(() => {
          const w = window as unknown as { sonoCounts: Counts };
          const counts = { views: 0, frames: 0, results: 0 };
          w.sonoCounts = counts;
          window.DataView = new Proxy(DataView, {
            construct: (target, args: ConstructorParameters<typeof DataView>, newTarget) => {
              counts.views++;
              return Reflect.construct(target, args, newTarget) as DataView;
            },
          });
          const Socket = window.WebSocket;
          window.WebSocket = class extends Socket {
            constructor(...args: ConstructorParameters<typeof WebSocket>) {
              super(...args);
              // registered before the page's onmessage: counted before the page handles the message
              this.addEventListener('message', (ev: MessageEvent) => {
                if (ev.data instanceof ArrayBuffer) counts.frames++;
                else if (String(ev.data).includes('"type":"result"')) counts.results++;
              });
            }
          };
        }),
    });
    const counts = (): Promise<Counts> => page.evaluate(() => ({ ...(window as unknown as { sonoCounts: Counts }).sonoCounts }));
    // frames and results flowing (a head measured), then a window of 20 more frames
    await page.waitForFunction(() => document.getElementById('hc')?.textContent?.includes('mm'), undefined, { timeout: 30_000 });
    const a = await counts();
    await page.waitForFunction((n) => (window as unknown as { sonoCounts: Counts }).sonoCounts.frames >= n, a.frames + 20, { timeout: 30_000 });
    const b = await counts();
    await context.close();
    const frames = b.frames - a.frames;
    const views = b.views - a.views;
    expect(b.results - a.results, 'results came in the window').toBeGreaterThan(0);
    expect(views, `${views} DataViews for ${frames} frames and ${b.results - a.results} results`).toBeLessThanOrEqual(frames);
    expect(errors).toEqual([]);
  });
});
