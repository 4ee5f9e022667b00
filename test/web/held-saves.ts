/**
 * Confirm's save held in flight by the test (a slow clinic Wi-Fi, without sleeps), and the correction made
 * around it: shared by the browser tests of a save in flight.
 */
import type { BrowserContext, Page, Route } from 'playwright-core';
import { proposal } from './live-page-helpers.js';
import { touchDrag } from './touch.js';

/** Drags the head ellipse's major-axis end `by` frame px outward: a correction of HC (BPD/OFD with it). */
export async function correctHead(context: BrowserContext, page: Page, by = 15): Promise<void> {
  const e = (await proposal(page))!;
  const a = (e.angleDeg * Math.PI) / 180;
  const from: [number, number] = [e.cx + e.semiMajor * Math.cos(a), e.cy + e.semiMajor * Math.sin(a)];
  const to: [number, number] = [e.cx + (e.semiMajor + by) * Math.cos(a), e.cy + (e.semiMajor + by) * Math.sin(a)];
  const g = await page.evaluate(() => {
    const c = document.getElementById('frame') as HTMLCanvasElement;
    return { rect: c.getBoundingClientRect().toJSON() as DOMRect, w: c.width, h: c.height };
  });
  const toPage = ([x, y]: [number, number]) => ({ x: g.rect.left + (x / g.w) * g.rect.width, y: g.rect.top + (y / g.h) * g.rect.height });
  const hcBefore = await page.textContent('#hc');
  const cdp = await context.newCDPSession(page);
  await touchDrag(cdp, [toPage(from)], [toPage(to)], 6);
  await cdp.detach();
  await page.waitForFunction((before) => document.getElementById('state')!.dataset.i18n === 'edited' && document.getElementById('hc')!.textContent !== before, hcBefore, { timeout: 10000 });
}

/** Holds every decision request until `release()`; `held` resolves when the first one is held. */
export async function holdDecisions(page: Page): Promise<{ held: Promise<void>; release: () => void }> {
  let release!: () => void;
  let heldOne!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const held = new Promise<void>((r) => (heldOne = r));
  await page.route('**/api/measurements/*/decision', async (route: Route) => {
    heldOne();
    await gate;
    await route.continue();
  });
  return { held, release };
}
