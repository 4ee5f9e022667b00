/**
 * The overlay belongs to its frame (issue 18): at low frame rates (BUSI replay at 2 fps, the lesion model on
 * every 2nd frame) every displayed frame was drawn with an earlier frame's outline, beside the lesion or on
 * black. Now a result is drawn only on the frame it was computed on, or dimmed and labelled "previous frame"
 * (`data-overlay="stale"` on the canvas), in the live view and in the cine.
 *
 * The test reads what the page received (every frame's pixels and every result, from the WebSocket) and what
 * it drew (the canvas, losslessly): the pixels under the drawing identify the image shown, and the pixels that
 * differ from it (the drawing) must lie on the outline of a result computed on that same image.
 */
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeFrameHeader } from '../../src/protocol/index.js';
import { breastMissing, breastReplayConfig, replayFolder } from './breast-replay.js';
import { clinicianPage } from './live-page-helpers.js';
import { liveRig } from './live-rig.js';

interface Seen { frames: Map<number, Uint8Array>; outlines: Map<number, number[]>; width: number }

/** Keeps every raw frame's gray pixels and every lesion result's outline the page receives. */
function watchSocket(page: Page): Seen {
  const seen: Seen = { frames: new Map(), outlines: new Map(), width: 0 };
  page.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    if (typeof payload === 'string') {
      const m = JSON.parse(payload) as { type: string; seq: number; result?: { task: string; lesion?: { outline: number[] } } };
      if (m.type === 'result' && m.result?.task === 'breast-lesion') seen.outlines.set(m.seq, m.result.lesion?.outline ?? []);
      return;
    }
    const h = decodeFrameHeader(payload);
    if (h.kind !== 0) return; // raw frames only
    const px = new Uint8Array(payload.buffer, payload.byteOffset + h.pixelOffset, h.width * h.height * h.channels);
    const gray = new Uint8Array(h.width * h.height);
    for (let i = 0; i < gray.length; i++) gray[i] = px[i * h.channels]!;
    seen.frames.set(h.seq, gray);
    seen.width = h.width;
  }));
  return seen;
}

interface Sample { gray: Uint8Array; drawn: Array<[number, number]>; seqs: number[]; overlay: string }

/** The canvas now: which received frames it shows (all with the same image) and where it differs from them. */
async function sample(page: Page, seen: Seen): Promise<Sample> {
  const { url, overlay } = await page.evaluate(() => {
    const c = document.getElementById('frame') as HTMLCanvasElement;
    return { url: c.toDataURL('image/png'), overlay: c.dataset.overlay ?? 'fresh' }; // the old page said nothing: it claimed its outline belonged
  });
  const { data, info } = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).raw().toBuffer({ resolveWithObject: true });
  const gray = new Uint8Array(info.width * info.height);
  const rgb = new Uint8Array(info.width * info.height);
  for (let i = 0; i < gray.length; i++) {
    const [r, g, b] = [data[i * info.channels]!, data[i * info.channels + 1]!, data[i * info.channels + 2]!];
    gray[i] = r;
    rgb[i] = r === g && g === b ? 0 : 1; // the frames are gray: a coloured pixel is drawing
  }
  let best = -1;
  let bestSame = 0;
  const same = new Map<number, number>();
  for (const [seq, f] of seen.frames) {
    if (f.length !== gray.length) continue;
    let n = 0;
    for (let i = 0; i < f.length; i++) if (f[i] === gray[i] && !rgb[i]) n++;
    same.set(seq, n);
    if (n > bestSame) [best, bestSame] = [seq, n];
  }
  expect(best, 'the canvas shows a frame the page received').toBeGreaterThanOrEqual(0);
  expect(bestSame / gray.length).toBeGreaterThan(0.6);
  const frame = seen.frames.get(best)!;
  const drawn: Array<[number, number]> = [];
  // the proposal's state written top right on the image (live/canvas-labels.ts) is no outline: left out
  const size = Math.max(12, Math.round(info.width / 30));
  const isLabel = (x: number, y: number): boolean => y < 2.2 * size && x > info.width / 3;
  for (let i = 0; i < gray.length; i++) {
    const [x, y] = [i % info.width, Math.floor(i / info.width)];
    if ((rgb[i] || frame[i] !== gray[i]) && !isLabel(x, y)) drawn.push([x, y]);
  }
  return { gray, drawn, seqs: [...same].filter(([, n]) => n === bestSame).map(([s]) => s), overlay };
}

/** True when ≥ 90% of the drawn pixels lie within `margin` px of the box around one of these outlines. */
function onOutline(drawn: Array<[number, number]>, outlines: number[][], margin: number): boolean {
  return outlines.some((o) => {
    if (o.length < 6) return false;
    const xs = o.filter((_, i) => i % 2 === 0);
    const ys = o.filter((_, i) => i % 2 === 1);
    const [x0, x1, y0, y1] = [Math.min(...xs) - margin, Math.max(...xs) + margin, Math.min(...ys) - margin, Math.max(...ys) + margin];
    return drawn.filter(([x, y]) => x >= x0 && x <= x1 && y >= y0 && y <= y1).length >= 0.9 * drawn.length;
  });
}

describe.skipIf(breastMissing.length > 0)('the overlay belongs to the frame under it', () => {
  const rig = liveRig(async () => {
    const config = breastReplayConfig(await replayFolder());
    (config.drivers as { replay: { fps: number } }).replay.fps = 2;
    return config;
  });

  for (const viewport of [{ width: 1280, height: 800 }, { width: 820, height: 1180 }]) {
    it(`live and cine at 2 fps, lesion model every 2nd frame, ${viewport.width}×${viewport.height}`, async () => {
      const errors: string[] = [];
      let seen!: Seen; // set before the page opens: the socket is watched from its first frame
      const { context, page } = await clinicianPage(rig.browser, rig.d, viewport, errors, {
        consoleErrors: false,
        beforeOpen: (p) => {
          seen = watchSocket(p);
        },
      });
      await page.selectOption('#exam-type', 'breast');
      if (await page.isEditable('#operator')) await page.fill('#operator', 'sonographer-overlay'); // signed in: the operator is who is signed in
      await page.click('#start');
      await page.waitForFunction(() => document.getElementById('b-max')?.textContent?.includes('mm'), undefined, { timeout: 30000 }).catch(async (err: Error) => {
        const shown = await page.evaluate(() => ({ message: document.getElementById('action-message')?.textContent, conn: document.getElementById('conn')?.textContent, body: document.body.innerText.slice(0, 300) }));
        throw new Error(`${err.message}; page: ${JSON.stringify(shown)}; errors ${JSON.stringify(errors)}`);
      });
      const outlinesOf = (seqs: number[]): number[][] => seqs.flatMap((s) => (seen.outlines.has(s) ? [seen.outlines.get(s)!] : []));
      const counts = { fresh: 0, stale: 0 };
      // live: sample the canvas through several frames (2 fps: each frame is shown ~500 ms)
      for (let k = 0; k < 16; k++) {
        const s = await sample(page, seen);
        if (s.overlay === 'fresh') {
          const outlines = outlinesOf(s.seqs).filter((o) => o.length >= 6);
          if (outlines.length === 0) expect(s.drawn.length, `frame ${s.seqs.join('/')}: no lesion found on it, nothing drawn`).toBe(0);
          else {
            counts.fresh++;
            expect(onOutline(s.drawn, outlines, 24), `the outline drawn on frame ${s.seqs.join('/')} is a result of that image`).toBe(true);
          }
        } else if (s.overlay === 'stale') counts.stale++;
        else expect(s.overlay).toBe('none');
        await page.waitForTimeout(230);
      }
      expect(counts.fresh, 'results were drawn on their own frames').toBeGreaterThan(0);
      expect(counts.stale, 'frames without a result of their own were marked').toBeGreaterThan(0);

      // cine: every frame of it, scrubbed; a proposal only on the frame it was computed on
      await page.tap('#freeze');
      const last = Number(await page.getAttribute('#scrub', 'max'));
      let reviewed = 0;
      for (let i = Math.max(0, last - 12); i <= last; i++) {
        await page.evaluate((v) => {
          const el = document.getElementById('scrub') as HTMLInputElement;
          el.value = String(v);
          el.dispatchEvent(new Event('input'));
        }, i);
        const s = await sample(page, seen);
        if (s.overlay === 'review') {
          reviewed++;
          expect(onOutline(s.drawn, outlinesOf(s.seqs), 28), `cine frame ${i}: the proposal drawn is a result of that image`).toBe(true);
        } else expect(s.drawn.length, `cine frame ${i}: nothing drawn on a frame without its own result`).toBe(0);
      }
      expect(reviewed).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
