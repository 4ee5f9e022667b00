/** Shared steps of the live page's browser tests (issue 18): a signed-in clinician, element visibility, canvas pixels. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SECRETS, addTokenUser } from '../helpers/auth.js';
import type { TestDaemon } from '../helpers/daemon.js';
import type { Point } from './touch.js';

export const LANDSCAPE = { width: 1280, height: 800 } as const;
export const PORTRAIT = { width: 820, height: 1180 } as const;
export const VIEWPORTS = [LANDSCAPE, PORTRAIT] as const;

/** How clinicianPage opens its page, where a test needs other than the default. */
export interface ClinicianPageOptions {
  /** Collect console errors into `errors` too (default true); false collects only uncaught page errors. */
  readonly consoleErrors?: boolean;
  /** Called on the new page before it opens the live page (to watch its socket from the start, say). */
  readonly beforeOpen?: (page: Page) => void;
}

/** A touch browser context signed in as a clinician (through POST /api/session), with its page. */
export async function clinicianPage(browser: Browser, d: TestDaemon, viewport: { width: number; height: number }, errors: string[] = [], options: ClinicianPageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, hasTouch: true });
  await addTokenUser(d.runtime.access.services, 'clinician');
  const r = await context.request.post(`${d.url}/api/session`, { data: { user: 'clinician', secret: SECRETS.clinician } });
  if (r.status() >= 300) throw new Error(`Sign-in failed: ${r.status()} ${await r.text()}`);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  if (options.consoleErrors ?? true) page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  options.beforeOpen?.(page);
  await page.goto(d.url + '/');
  return { context, page };
}

/**
 * Why an element is not fully seen without scrolling (empty: it is): its box must lie inside the viewport,
 * nothing may scroll, and the element itself must be what is hit at its centre (not clipped by a scrolled
 * panel or covered).
 */
export function notSeen(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) return `${sel} missing`;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return `${sel} has no size`;
    if (r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) return `${sel} at ${JSON.stringify(r.toJSON())} is outside the ${innerWidth}×${innerHeight} viewport`;
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || !(el === hit || el.contains(hit) || hit.contains(el))) return `${sel} is covered or clipped at its centre (hit: ${hit?.id || hit?.tagName})`;
    for (let p = el.parentElement; p; p = p.parentElement) if (p.scrollTop > 0) return `${sel}'s container #${p.id || p.tagName} was scrolled`;
    return '';
  }, selector);
}

/** Counts canvas pixels near `rgb` (±40 per channel) inside a rectangle given as fractions of the frame. */
export function countColour(page: Page, rgb: [number, number, number], box: { x0: number; y0: number; x1: number; y1: number } = { x0: 0, y0: 0, x1: 1, y1: 1 }): Promise<number> {
  return page.evaluate(
    ([c, b]) => {
      const canvas = document.getElementById('frame') as HTMLCanvasElement;
      const x0 = Math.floor(b.x0 * canvas.width);
      const y0 = Math.floor(b.y0 * canvas.height);
      const w = Math.max(1, Math.floor((b.x1 - b.x0) * canvas.width));
      const h = Math.max(1, Math.floor((b.y1 - b.y0) * canvas.height));
      const px = canvas.getContext('2d')!.getImageData(x0, y0, w, h).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i]! - c[0]) < 40 && Math.abs(px[i + 1]! - c[1]) < 40 && Math.abs(px[i + 2]! - c[2]) < 40) n++;
      return n;
    },
    [rgb, box] as const,
  );
}

export const mode = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { sonoMode: () => string }).sonoMode());

/** Frame pixels → page pixels through the frame's box on screen now (zoom and pan included). */
export function frameToPage(page: Page, x: number, y: number): Promise<Point> {
  return page.evaluate(
    ([x, y]) => {
      const c = document.getElementById('frame') as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      return { x: r.left + (x / c.width) * r.width, y: r.top + (y / c.height) * r.height };
    },
    [x, y] as const,
  );
}

/** Moves the frozen cine's scrub bar to kept frame `index`, as a drag of the slider does (its value, then an input event). */
export async function scrubTo(page: Page, index: number): Promise<void> {
  await page.evaluate((i) => {
    const s = document.getElementById('scrub') as HTMLInputElement;
    s.value = String(i);
    s.dispatchEvent(new Event('input'));
  }, index);
}

/** The fetal head's ellipse in frame pixels (angle in degrees), as the page proposes it for review. */
export interface Ellipse {
  cx: number;
  cy: number;
  semiMajor: number;
  semiMinor: number;
  angleDeg: number;
}

/** The ellipse under review now, with the clinician's edits (the page's sonoProposal); undefined when none is. */
export const proposal = (page: Page): Promise<Ellipse | undefined> => page.evaluate(() => (window as unknown as { sonoProposal: () => Ellipse | undefined }).sonoProposal());

/** How long reviewBestFrame waits for each of its two conditions, in ms. */
export interface ReviewTimeouts {
  /** For a kept frame with a result (default 20000). */
  readonly reviewable?: number;
  /** For the review mode after Best frame (default 10000). */
  readonly reviewing?: number;
}

/**
 * Freezes the live page on its best frame and waits until that frame is under review. First waits for a kept
 * frame with a result to review (sonoReviewableFrames: what Freeze and Best frame offer), not for the overlay's
 * 'fresh', which lasts only from a result to the next frame and is never there when a result comes after it
 * (under load); then Freeze, Best frame, and the page's mode 'reviewing'.
 */
export async function reviewBestFrame(page: Page, timeouts: ReviewTimeouts = {}): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { sonoReviewableFrames: () => number }).sonoReviewableFrames() > 0, undefined, { timeout: timeouts.reviewable ?? 20000 });
  await page.tap('#freeze');
  await page.tap('#best');
  await page.waitForFunction(() => (window as unknown as { sonoMode: () => string }).sonoMode() === 'reviewing', undefined, { timeout: timeouts.reviewing ?? 10000 });
}

/** Starts an exam of `type` (dating GA for obstetric) from the live page and waits for its numbers. */
export async function startExam(page: Page, type: 'obstetric' | 'breast', gaWeeks?: number): Promise<void> {
  await page.selectOption('#exam-type', type);
  if (gaWeeks !== undefined) await page.fill('#p-ga', String(gaWeeks));
  await page.click('#start');
  await page.waitForFunction(() => document.getElementById('exam-form')!.hidden);
  const id = type === 'obstetric' ? 'hc' : 'b-max';
  await page.waitForFunction((i) => document.getElementById(i)?.textContent?.includes('mm'), id, { timeout: 30000 });
}
