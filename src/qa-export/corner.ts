/**
 * The export's one coordinate convention for what the clinicians left (`final` geometry): frame pixels with
 * 0,0 the top-left corner of the top-left pixel (PS3.3 C.18.6.1.1), the page canvas's, the calipers' and the
 * SR's. A clinician's correction is stored that way already; a confirmed measurement's shape is the AI's,
 * stored with whole numbers at pixel centres (`modelToFrame`), so it moves by +0.5 here, as the SR moves it
 * (src/sync/sr-geometry.ts). `aiResult` and a measurement's `ai` geometry stay as stored (pixel centres).
 */
import type { EllipseGeom } from './masks.js';

const HALF = 0.5;

export function ellipseToCorner(e: EllipseGeom): EllipseGeom {
  return { cx: e.cx + HALF, cy: e.cy + HALF, semiMajor: e.semiMajor, semiMinor: e.semiMinor, angleDeg: e.angleDeg };
}

export function outlineToCorner(outline: readonly number[]): number[] {
  return outline.map((v) => v + HALF);
}

const isObject = (g: unknown): g is Record<string, unknown> => typeof g === 'object' && g !== null && !Array.isArray(g);
const shift = (v: unknown): unknown => (typeof v === 'number' ? v + HALF : v);

/**
 * A measurement's AI geometry as stored (`{ ellipse }`, `{ outline }` or a caliper `{ x1, y1, x2, y2 }`) moved
 * into corner coordinates; sizes and angles stay; anything else (null, a shape this does not know) as it is.
 */
export function geometryToCorner(g: unknown): unknown {
  if (!isObject(g)) return g;
  const out: Record<string, unknown> = { ...g };
  if (isObject(g.ellipse)) out.ellipse = { ...g.ellipse, cx: shift(g.ellipse.cx), cy: shift(g.ellipse.cy) };
  if (Array.isArray(g.outline)) out.outline = g.outline.map(shift);
  for (const k of ['x1', 'y1', 'x2', 'y2']) if (k in g) out[k] = shift(g[k]);
  return out;
}
