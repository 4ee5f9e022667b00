/**
 * The AI's geometry is drawn where the analysis means it. A result's geometry has integers at pixel centres
 * (src/inference/preprocess.ts modelToFrame); the canvas has them at pixel corners. The page drew the numbers
 * unconverted, so a head's ellipse and its BPD/OFD lines, and a lesion's outline and calipers, sat half a frame
 * pixel up and left of what the analysis found (web-ui/src/exam-types/ai-geometry.ts now converts them).
 *
 * The page is the real test build in Chromium, signed in to a real daemon; only its /api/live socket is played by
 * the test (Playwright routeWebSocket), which answers each exam-type message of the page with one black frame and
 * a result for it: a head ellipse, or a lesion outline (a diamond) with its calipers, centred on frame pixel
 * (100, 80). The canvas is read at 1:1 (its backing store is the frame): what is drawn must be symmetric about
 * canvas (100.5, 80.5), the centre of that pixel; drawn at the old place it is symmetric about (100, 80).
 */
import { existsSync } from 'node:fs';
import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { encodeFrameMessage } from '../../src/protocol/index.js';
import { CHROMIUM } from './breast-replay.js';
import { LANDSCAPE, clinicianPage, startExam } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';

const W = 320;
const H = 240;
const ELLIPSE = { cx: 100, cy: 80, semiMajor: 40, semiMinor: 30, angleDeg: 0 };
const OUTLINE = [100, 40, 150, 80, 100, 120, 50, 80];
const LONG = { x1: 70, y1: 80, x2: 130, y2: 80 };
const PERP = { x1: 100, y1: 60, x2: 100, y2: 100 };

const HEAD = { task: 'fetal-head', detected: true, ellipse: ELLIPSE, hcPx: 221, hcMm: 44.1, confidence: 0.95, quality: { score: 0.9, components: {} }, flags: [] };
const LESION = {
  task: 'breast-lesion',
  class: 'benign',
  probabilities: { normal: 0.05, benign: 0.85, malignant: 0.1 },
  malignancyProbability: 0.1,
  confidence: 0.85,
  lesionPresent: true,
  maskConfidence: 0.9,
  summary: 'Synthetic lesion. AI decision support, not a diagnosis.',
  flags: [],
  lesion: {
    units: 'mm',
    maxDiameter: 12,
    perpendicularDiameter: 8,
    area: 80,
    width: 20,
    height: 16,
    longAxis: LONG,
    perpendicularAxis: PERP,
    orientation: { angleDeg: 0, heightToWidth: 0.8, tallerThanWide: false, assessment: 'parallel' },
    margin: { solidity: 1, convexity: 1, assessment: 'circumscribed' },
    outline: OUTLINE,
  },
};

/**
 * Plays the daemon's side of /api/live: hello, then, from the first time the page names `type` as its exam type, a
 * frame and its result every 100 ms, as a source does (none before: the cine then holds only frames the freeze
 * may choose among). A stream, not one frame: starting the exam cuts the page's cine (the frames before it may
 * show the previous patient), so the overlay is drawn on a frame that comes after it.
 */
function playLive(type: 'obstetric' | 'breast', ws: WebSocketRoute): void {
  let seq = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const models = [
    { id: 'fetal-head', version: '1', task: 'fetal-head', provider: 'cpu' },
    { id: 'breast-lesion', version: '1', task: 'breast-lesion', provider: 'cpu' },
  ];
  const sendFrame = (): void => {
    seq++;
    const timestampMs = Date.now(); // one capture time for the frame and its result: they are paired by both
    const frame = encodeFrameMessage({ seq, channels: 1, width: W, height: H, timestampMs, pixelSpacing: { x: 0.2, y: 0.2 }, region: { x: 0, y: 0, width: W, height: H } }, new Uint8Array(W * H));
    ws.send(Buffer.from(frame));
    const result = type === 'breast' ? LESION : HEAD;
    const timings = { queueMs: 1, preprocessMs: 1, handoffMs: 0, inferenceMs: 5, analysisMs: 1, totalMs: 8 };
    ws.send(JSON.stringify({ type: 'result', seq, sourceId: 'test', frameTimestampMs: timestampMs, modelId: result.task, modelVersion: '1', provider: 'cpu', timings, result }));
  };
  ws.send(JSON.stringify({ type: 'hello', protocol: 1, provider: 'cpu', models, source: undefined }));
  ws.onMessage((text) => {
    const m = JSON.parse(String(text)) as { type: string; examType?: string };
    if (m.type !== 'exam-type' || m.examType !== type || timer) return;
    sendFrame();
    timer = setInterval(sendFrame, 100);
  });
  ws.onClose(() => clearInterval(timer));
}

type Window = { xs: [number, number]; ys: [number, number]; colour: 'cyan' | 'lime' | 'orange' | 'amber' | 'pink'; axis: 'x' | 'y' };

/**
 * Centroids of what is drawn in each window, weighted by coverage (the frame is black: a channel's value is its
 * coverage), at pixel centres (x + 0.5), counting only pixels of the window's colour. Each window holds the whole
 * width of the drawing it measures across `axis`, at the old place and the new.
 */
function centroids<K extends string>(page: Page, windows: Record<K, Window>): Promise<Record<K, number>> {
  return page.evaluate(
    ([ws, w, h]) => {
      const px = (document.getElementById('frame') as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, w, h).data;
      const at = (x: number, y: number): [number, number, number] => [px[4 * (y * w + x)]!, px[4 * (y * w + x) + 1]!, px[4 * (y * w + x) + 2]!];
      // the overlay's colours on black: cyan #22d3ee, lime #a3e635, orange #fb923c, amber #fbbf24, pink #f472b6
      const weight: Record<string, (c: [number, number, number]) => number> = {
        cyan: ([r, , b]) => (b > 3 * r ? b : 0),
        lime: ([r, g, b]) => (g > 2 * b && g >= r ? g : 0),
        orange: ([r, g, b]) => (r > g && g > 2 * b ? r : 0),
        amber: ([r, g, b]) => (r > g && g > 3 * b ? r : 0),
        pink: ([r, g, b]) => (r > 1.5 * g && b > 1.2 * g ? r : 0),
      };
      const out: Record<string, number> = {};
      for (const [name, win] of Object.entries(ws)) {
        let sum = 0;
        let n = 0;
        for (let y = win.ys[0]; y <= win.ys[1]; y++)
          for (let x = win.xs[0]; x <= win.xs[1]; x++) {
            const v = weight[win.colour]!(at(x, y));
            sum += v * ((win.axis === 'x' ? x : y) + 0.5);
            n += v;
          }
        out[name] = n > 0 ? sum / n : NaN;
      }
      return out;
    },
    [windows as Record<string, Window>, W, H] as const,
  ) as Promise<Record<K, number>>;
}

/** Every centroid within 0.2 px of where the new page draws it (the old place is 0.5 away). */
function expectAt(seen: Record<string, number>, want: Record<string, number>, what: string): void {
  for (const [k, v] of Object.entries(want)) expect(Math.abs(seen[k]! - v), `${what} ${k} drawn about ${seen[k]} (the old page: ${v - 0.5})`).toBeLessThan(0.2);
}

const frameSize = (page: Page): Promise<number[]> =>
  page.evaluate(() => [(document.getElementById('frame') as HTMLCanvasElement).width, (document.getElementById('frame') as HTMLCanvasElement).height]);

describe.skipIf(!existsSync(CHROMIUM))('the AI overlay drawn at the pixel centres the analysis means', () => {
  const rig = liveRig(() => ({ drivers: { simulated: { fps: 2 } } }));

  /** A signed-in page whose live socket the test plays, with an exam of `type` started on it. */
  async function playedPage(type: 'obstetric' | 'breast', errors: string[]): Promise<{ close: () => Promise<void>; page: Page }> {
    const { context, page } = await clinicianPage(rig.browser, rig.d, LANDSCAPE, errors);
    // routed once installed (an asynchronous call, so not in beforeOpen): the page is loaded again to use it
    await page.routeWebSocket(/\/api\/live$/, (ws) => playLive(type, ws));
    await page.reload();
    await startExam(page, type, type === 'obstetric' ? 20 : undefined);
    await page.waitForFunction(() => document.getElementById('frame')?.dataset.overlay === 'fresh');
    expect(await frameSize(page)).toEqual([W, H]);
    return { close: () => context.close(), page };
  }

  it('a head ellipse centred on pixel (100, 80) is drawn about canvas (100.5, 80.5), live and under review', async () => {
    const errors: string[] = [];
    const { close, page } = await playedPage('obstetric', errors);
    const [cx, cy, a, b] = [ELLIPSE.cx, ELLIPSE.cy, ELLIPSE.semiMajor, ELLIPSE.semiMinor];
    // the axis lines land exactly (100.5, 80.5 seen); the ellipse's anti-aliased stroke within a tenth (100.46,
    // 80.43 seen: coverage is sampled in quarter rows)
    const live = await centroids(page, {
      strokeX: { xs: [cx - a - 8, cx + a + 8], ys: [cy - b + 6, cy - 10], colour: 'cyan', axis: 'x' }, // above the OFD line
      strokeY: { xs: [cx - a - 6, cx - a + 6], ys: [cy - b + 8, cy + b - 8], colour: 'cyan', axis: 'y' }, // its left end
      bpdX: { xs: [cx - 6, cx + 6], ys: [cy - b + 6, cy - 8], colour: 'lime', axis: 'x' },
      ofdY: { xs: [cx - a + 8, cx - 8], ys: [cy - 6, cy + 6], colour: 'orange', axis: 'y' }, // left of the centre: its label is right
    });
    expectAt(live, { strokeX: 100.5, strokeY: 80.5, bpdX: 100.5, ofdY: 80.5 }, 'live');

    // frozen: the proposal under review is the same ellipse, in the same (canvas) coordinates as the finger's points
    await page.tap('#freeze');
    await page.waitForFunction(() => document.getElementById('frame')?.dataset.overlay === 'review');
    expect(await page.evaluate(() => (window as unknown as { sonoProposal: () => unknown }).sonoProposal())).toEqual({ ...ELLIPSE, cx: 100.5, cy: 80.5 });
    const review = await centroids(page, {
      bpdX: { xs: [cx - 6, cx + 6], ys: [cy - b + 6, cy - 8], colour: 'lime', axis: 'x' },
      ofdY: { xs: [cx - a + 8, cx - 8], ys: [cy - 6, cy + 6], colour: 'orange', axis: 'y' },
    });
    expectAt(review, { bpdX: 100.5, ofdY: 80.5 }, 'under review');
    expect(errors).toEqual([]);
    await close();
  });

  it('a lesion outline and calipers centred on pixel (100, 80) are drawn about canvas (100.5, 80.5), live and under review', async () => {
    const errors: string[] = [];
    const { close, page } = await playedPage('breast', errors);
    const live = await centroids(page, {
      longY: { xs: [72, 94], ys: [74, 86], colour: 'amber', axis: 'y' }, // the long caliper, left of the short one
      perpX: { xs: [94, 106], ys: [62, 74], colour: 'cyan', axis: 'x' }, // the short caliper, above the long one
      outlineX: { xs: [40, 160], ys: [44, 70], colour: 'pink', axis: 'x' }, // outline and fill, above the long caliper
      outlineY: { xs: [40, 92], ys: [36, 124], colour: 'pink', axis: 'y' }, // its left half, off the short caliper
    });
    expectAt(live, { longY: 80.5, perpX: 100.5, outlineX: 100.5, outlineY: 80.5 }, 'live');

    await page.tap('#freeze');
    await page.waitForFunction(() => document.getElementById('frame')?.dataset.overlay === 'review');
    const shift = (s: typeof LONG): typeof LONG => ({ x1: s.x1 + 0.5, y1: s.y1 + 0.5, x2: s.x2 + 0.5, y2: s.y2 + 0.5 });
    expect(await page.evaluate(() => (window as unknown as { sonoCalipers: () => unknown }).sonoCalipers())).toEqual({ long: shift(LONG), perp: shift(PERP) });
    expect(await page.evaluate(() => (window as unknown as { sonoOutline: () => unknown }).sonoOutline())).toEqual(OUTLINE.map((v) => v + 0.5));
    expect(errors).toEqual([]);
    await close();
  });
});
