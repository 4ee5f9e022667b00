/**
 * The burned-in overlay series' marks: ellipses, lines and closed outlines drawn point by point, two pixels
 * thick, white (255) on the gray frame. Each shape is drawn in its author's coordinates (`FrameOrigin`, as the
 * SR reads them: src/sync/sr-geometry.ts): the AI's whole numbers are pixel centres, the clinician's (drawn on
 * the page) pixel corners, so a clinician's point x lands in pixel floor(x), not half a pixel right of it.
 */
import type { FrameOrigin } from './sr-scoord.js';

export interface EllipseLike {
  cx: number;
  cy: number;
  semiMajor: number;
  semiMinor: number;
  angleDeg: number;
}
export interface SegmentLike {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Whose coordinates a decided measurement's shape is in: a correction's final geometry was drawn on the page
 * (pixel corners); a confirmation's final geometry is a copy of the AI's, and the AI's are pixel centres.
 */
export function decidedOrigin(state: string | undefined, fromFinal: boolean): FrameOrigin {
  return fromFinal && state === 'corrected' ? 'pixel-corner' : 'pixel-centre';
}

/** Added before rounding to the nearest pixel centre. */
const SHIFT: Record<FrameOrigin, number> = { 'pixel-centre': 0, 'pixel-corner': -0.5 };
const MARK = [
  [0, 0],
  [1, 0],
  [0, 1],
] as const;

/**
 * Points drawn along one line or ellipse at most: two per pixel of the frame's perimeter. Stored geometry is
 * range-checked when decided, but a record written before that check (1e300) must not spin the close.
 */
function maxSteps(w: number, h: number): number {
  return 4 * (w + h);
}

function plot(px: Uint8Array, w: number, h: number, x: number, y: number): void {
  const x0 = Math.round(x);
  const y0 = Math.round(y);
  for (const [dx, dy] of MARK) {
    const xx = x0 + dx;
    const yy = y0 + dy;
    if (xx >= 0 && yy >= 0 && xx < w && yy < h) px[yy * w + xx] = 255;
  }
}

/** A straight line (a caliper, an outline edge). */
export function drawLine(px: Uint8Array, w: number, h: number, s: SegmentLike, origin: FrameOrigin): void {
  if (![s.x1, s.y1, s.x2, s.y2].every(Number.isFinite)) return;
  const d = SHIFT[origin];
  const n = Math.min(maxSteps(w, h), Math.max(1, Math.ceil(Math.hypot(s.x2 - s.x1, s.y2 - s.y1) * 2)));
  for (let k = 0; k <= n; k++) plot(px, w, h, s.x1 + d + ((s.x2 - s.x1) * k) / n, s.y1 + d + ((s.y2 - s.y1) * k) / n);
}

/** A closed outline, flat x,y pairs (the last vertex joins the first). */
export function drawOutline(px: Uint8Array, w: number, h: number, o: readonly number[], origin: FrameOrigin): void {
  for (let k = 0; k + 1 < o.length; k += 2) {
    const j = (k + 2) % o.length;
    drawLine(px, w, h, { x1: o[k]!, y1: o[k + 1]!, x2: o[j]!, y2: o[j + 1]! }, origin);
  }
}

export function drawEllipse(px: Uint8Array, w: number, h: number, e: EllipseLike, origin: FrameOrigin): void {
  if (![e.cx, e.cy, e.semiMajor, e.semiMinor, e.angleDeg].every(Number.isFinite)) return;
  const d = SHIFT[origin];
  const a = (e.angleDeg * Math.PI) / 180;
  const n = Math.min(maxSteps(w, h), Math.ceil(2 * Math.PI * Math.max(e.semiMajor, 1) * 2));
  for (let k = 0; k < n; k++) {
    const t = (2 * Math.PI * k) / n;
    const u = e.semiMajor * Math.cos(t);
    const v = e.semiMinor * Math.sin(t);
    plot(px, w, h, e.cx + d + u * Math.cos(a) - v * Math.sin(a), e.cy + d + u * Math.sin(a) + v * Math.cos(a));
  }
}
