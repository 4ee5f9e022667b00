/**
 * Masks of what was measured, at the frame's size, 0 outside and 255 inside (the HC18 and BUSI convention):
 * a fetal head's fitted ellipse filled, a lesion's outline filled. Pure: pixels in, pixels out.
 *
 * A pixel is inside when its centre is inside the shape as its author meant it. The two authors count frame
 * pixels differently: the analysis puts whole numbers at pixel centres (`modelToFrame`), the page's canvas at
 * pixel corners (0,0 the top-left corner of the top-left pixel, PS3.3 C.18.6.1.1; pixel i has its centre at
 * i + 0.5). So each shape is filled in its own origin: a corner-origin shape is moved by -0.5 into centre
 * terms first, then filled like the AI's (src/sync/sr-geometry.ts moves the AI's the other way for the SR).
 */
import { fillPolygon, splitXY } from '../analysis/polygon.js';

/** Where whole frame-pixel coordinates fall: the analysis' results at pixel centres, the page's at corners. */
export type PixelOrigin = 'pixel-centre' | 'pixel-corner';

export interface EllipseGeom {
  cx: number;
  cy: number;
  semiMajor: number;
  semiMinor: number;
  angleDeg: number;
}

/** True when every number of the ellipse is finite and its axes positive (a stored record may hold anything). */
export function isEllipse(e: unknown): e is EllipseGeom {
  const o = e as Partial<EllipseGeom> | null | undefined;
  return !!o && [o.cx, o.cy, o.semiMajor, o.semiMinor, o.angleDeg].every((v) => typeof v === 'number' && Number.isFinite(v)) && o.semiMajor! > 0 && o.semiMinor! > 0;
}

/** The ellipse filled: a pixel is inside when its centre's normalised radius is ≤ 1. */
export function ellipseMask(width: number, height: number, shape: EllipseGeom, origin: PixelOrigin): Uint8Array {
  const e = origin === 'pixel-corner' ? { ...shape, cx: shape.cx - 0.5, cy: shape.cy - 0.5 } : shape;
  const mask = new Uint8Array(width * height);
  const ang = (e.angleDeg * Math.PI) / 180;
  const c = Math.cos(ang);
  const s = Math.sin(ang);
  const reach = Math.max(e.semiMajor, e.semiMinor) + 1;
  const x0 = Math.max(0, Math.floor(e.cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(e.cx + reach));
  const y0 = Math.max(0, Math.floor(e.cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(e.cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - e.cx;
      const dy = y - e.cy;
      const u = (dx * c + dy * s) / e.semiMajor;
      const v = (-dx * s + dy * c) / e.semiMinor;
      if (u * u + v * v <= 1) mask[y * width + x] = 255;
    }
  }
  return mask;
}

/** A closed outline (flat [x0, y0, x1, y1, …] in frame pixels) filled, even–odd rule, at pixel centres. */
export function outlineMask(width: number, height: number, outline: readonly number[], origin: PixelOrigin): Uint8Array {
  const mask = new Uint8Array(width * height);
  if (outline.length >= 6 && outline.every(Number.isFinite)) {
    const { xs, ys, n } = splitXY(outline);
    if (origin === 'pixel-corner') {
      for (let k = 0; k < n; k++) {
        xs[k] = xs[k]! - 0.5;
        ys[k] = ys[k]! - 0.5;
      }
    }
    fillPolygon(xs, ys, n, width, height, mask);
  }
  return mask;
}

/** Number of set pixels (a mask's area), for the manifest and the tests. */
export function maskArea(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v !== 0) n++;
  return n;
}
