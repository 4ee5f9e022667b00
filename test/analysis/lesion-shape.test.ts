import { describe, expect, it } from 'vitest';
import { ComponentLabeler } from '../../src/analysis/components.js';
import { CONVEXITY_CIRCUMSCRIBED_MIN, SOLIDITY_CIRCUMSCRIBED_MIN, measureLesionShape } from '../../src/analysis/lesion-shape.js';
import { OutlineTracer } from '../../src/analysis/outline.js';
import { convexHull, fillPolygon, maxDiameter, perpendicularExtent, polygonArea, segmentLength } from '../../src/analysis/polygon.js';
import { softEllipse } from '../helpers/soft-ellipse.js';

/** Outline of the largest component of a map, traced like the analyzer does. */
function outlineOf(map: Float32Array, w: number, h: number): { xs: Float64Array; ys: Float64Array; n: number } {
  const lab = new ComponentLabeler(w, h);
  lab.label(map, 0.5);
  const tr = new OutlineTracer(w, h);
  const n = tr.trace(map, lab.labels, lab.largest(), 0.5);
  return { xs: tr.xs.slice(0, n), ys: tr.ys.slice(0, n), n };
}

/** A filled star: radius alternating between r0 and r1 over `points` spikes (hard 0/1 map). */
function star(w: number, h: number, cx: number, cy: number, r0: number, r1: number, points: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = Math.atan2(y - cy, x - cx);
      const f = (Math.cos(points * a) + 1) / 2;
      if (Math.hypot(x - cx, y - cy) <= r0 + (r1 - r0) * f) out[y * w + x] = 1;
    }
  }
  return out;
}

describe('polygon geometry', () => {
  it('square: area, hull, diameter (the diagonal) and perpendicular extent (the other diagonal)', () => {
    const xs = [0, 10, 10, 0, 5];
    const ys = [0, 0, 10, 10, 0]; // a collinear extra point on the top edge
    expect(Math.abs(polygonArea([0, 10, 10, 0], [0, 0, 10, 10]))).toBe(100);
    expect(convexHull(xs, ys).sort()).toEqual([0, 1, 2, 3]);
    const d = maxDiameter(xs, ys)!;
    expect(segmentLength(d)).toBeCloseTo(Math.SQRT2 * 10, 9);
    const p = perpendicularExtent([0, 10, 10, 0], [0, 0, 10, 10], 4, d, 512)!;
    expect(segmentLength(p)).toBeCloseTo(Math.SQRT2 * 10, 1);
  });

  it('rotating calipers agree with the brute-force farthest pair on random point sets', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 50; t++) {
      const n = 3 + Math.floor(rnd() * 60);
      const xs = Array.from({ length: n }, () => rnd() * 100);
      const ys = Array.from({ length: n }, () => rnd() * 40);
      let brute = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) brute = Math.max(brute, Math.hypot(xs[i]! - xs[j]!, ys[i]! - ys[j]!));
      expect(segmentLength(maxDiameter(xs, ys)!)).toBeCloseTo(brute, 9);
    }
  });

  it('fills a polygon at pixel centres (even–odd)', () => {
    const out = new Uint8Array(10 * 10);
    fillPolygon([1.5, 6.5, 6.5, 1.5], [2.5, 2.5, 5.5, 5.5], 4, 10, 10, out);
    expect(out.reduce((a, v) => a + (v ? 1 : 0), 0)).toBe(5 * 3);
    expect(out[3 * 10 + 2]).toBe(255);
    expect(out[2 * 10 + 2]).toBe(0);
  });
});

describe('outline tracing', () => {
  it('a soft ellipse: closed, ordered outline whose area matches πab within 0.5%', () => {
    const e = { cx: 60, cy: 50, a: 30, b: 18, angle: 0.5 };
    const { xs, ys, n } = outlineOf(softEllipse(128, 100, e), 128, 100);
    expect(n).toBeGreaterThan(100);
    expect(Math.abs(polygonArea(xs, ys, n)) / (Math.PI * e.a * e.b)).toBeCloseTo(1, 2);
    for (let k = 0; k < n; k++) {
      const j = (k + 1) % n;
      expect(Math.hypot(xs[j]! - xs[k]!, ys[j]! - ys[k]!)).toBeLessThanOrEqual(Math.SQRT2 + 1e-9); // within one cell: no jumps
    }
  });

  it('follows only the chosen component and ignores its holes; a border pixel is outlined half a pixel out', () => {
    const w = 20;
    const h = 12;
    const map = new Float32Array(w * h);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) map[y * w + x] = 1; // touches the top-left border
    map[3 * w + 3] = 0; // a hole
    for (let y = 2; y < 5; y++) for (let x = 14; x < 17; x++) map[y * w + x] = 1; // another component
    const { xs, ys, n } = outlineOf(map, w, h);
    expect(Math.abs(polygonArea(xs, ys, n))).toBeCloseTo(64 - 0.5, 6); // chamfered corners at level 0.5
    expect(Math.min(...xs)).toBe(-0.5);
    expect(Math.max(...xs)).toBeLessThan(8);
  });
});

describe('lesion shape', () => {
  it('a 40×20 px ellipse rotated 30°: diameters, orientation parallel, circumscribed', () => {
    const e = { cx: 64, cy: 64, a: 20, b: 10, angle: Math.PI / 6 };
    const { xs, ys, n } = outlineOf(softEllipse(128, 128, e), 128, 128);
    const s = measureLesionShape(xs, ys, n, undefined)!;
    expect(s.units).toBe('px');
    expect(s.maxDiameter).toBeGreaterThan(39.6);
    expect(s.maxDiameter).toBeLessThan(40.4);
    expect(s.perpendicularDiameter).toBeGreaterThan(19.5);
    expect(s.perpendicularDiameter).toBeLessThan(20.5);
    expect(s.orientation.angleDeg).toBeGreaterThan(28);
    expect(s.orientation.angleDeg).toBeLessThan(32);
    // extents of a rotated ellipse: 2·sqrt(a²cos² + b²sin²) and 2·sqrt(a²sin² + b²cos²)
    expect(s.width).toBeCloseTo(2 * Math.sqrt(400 * 0.75 + 100 * 0.25), 0);
    expect(s.height).toBeCloseTo(2 * Math.sqrt(400 * 0.25 + 100 * 0.75), 0);
    expect(s.orientation).toMatchObject({ tallerThanWide: false, assessment: 'parallel' });
    expect(s.margin.assessment).toBe('circumscribed');
    expect(s.margin.solidity).toBeGreaterThan(0.98);
    expect(s.margin.convexity).toBeGreaterThan(0.98);
    expect(s.area).toBeCloseTo(Math.PI * 200, -1);
  });

  it('the same ellipse standing up (80°) is taller than wide', () => {
    const { xs, ys, n } = outlineOf(softEllipse(128, 128, { cx: 64, cy: 64, a: 20, b: 10, angle: (80 * Math.PI) / 180 }), 128, 128);
    const s = measureLesionShape(xs, ys, n, undefined)!;
    expect(s.orientation).toMatchObject({ tallerThanWide: true, assessment: 'not-parallel' });
    expect(Math.abs(s.orientation.angleDeg - 80)).toBeLessThan(3); // the farthest pair on a blunt end wanders a little
  });

  it('anisotropic pixels: a circle of 20 px on 0.2 × 0.6 mm pixels is 4 mm wide and 12 mm tall', () => {
    const { xs, ys, n } = outlineOf(softEllipse(64, 64, { cx: 32, cy: 32, a: 10, b: 10, angle: 0 }), 64, 64);
    const s = measureLesionShape(xs, ys, n, { x: 0.2, y: 0.6 })!;
    expect(s.units).toBe('mm');
    expect(s.maxDiameter).toBeCloseTo(12, 0);
    expect(s.perpendicularDiameter).toBeCloseTo(4, 0);
    expect(s.orientation.tallerThanWide).toBe(true);
    expect(Math.abs(s.orientation.angleDeg - 90)).toBeLessThan(3);
    // the calipers come back in frame pixels: the long axis is vertical, ~20 px long
    expect(Math.abs(s.longAxis.y2 - s.longAxis.y1)).toBeCloseTo(20, 0);
    expect(s.area).toBeCloseTo(Math.PI * 100 * 0.2 * 0.6, 0);
  });

  it('a 7-pointed star has an irregular margin, with solidity and convexity well under the thresholds', () => {
    const { xs, ys, n } = outlineOf(star(128, 128, 64, 64, 18, 40, 7), 128, 128);
    const s = measureLesionShape(xs, ys, n, undefined)!;
    expect(s.margin.assessment).toBe('irregular');
    expect(s.margin.solidity).toBeLessThan(SOLIDITY_CIRCUMSCRIBED_MIN - 0.1);
    expect(s.margin.convexity).toBeLessThan(CONVEXITY_CIRCUMSCRIBED_MIN);
  });

  it('a hard-edged (0/1) ellipse is still circumscribed: the staircase is not a ragged margin', () => {
    const soft = softEllipse(128, 128, { cx: 64, cy: 64, a: 30, b: 16, angle: 0.3 });
    const hard = soft.map((v) => (v >= 0.5 ? 1 : 0));
    const { xs, ys, n } = outlineOf(hard, 128, 128);
    expect(measureLesionShape(xs, ys, n, undefined)!.margin.assessment).toBe('circumscribed');
  });
});
