import { describe, expect, it } from 'vitest';
import { ComponentLabeler, boundaryPoints } from '../../src/analysis/components.js';

const w = 40;
const h = 30;

/** A 40×30 map with two soft blobs and a few stray pixels, values in 0–1. */
function map(): Float32Array {
  const v = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = Math.exp(-((x - 12) ** 2 + (y - 14) ** 2) / 30);
      const b = 0.8 * Math.exp(-((x - 30) ** 2 / 12 + (y - 8) ** 2 / 5));
      v[y * w + x] = Math.max(a, b);
    }
  }
  v[29 * w + 39] = 0.9; // a corner pixel: touches two edges
  v[0] = Number.NaN; // never counted
  return v;
}

describe('ComponentLabeler', () => {
  const v = map();
  const lab = new ComponentLabeler(w, h);
  const n = lab.label(v, 0.5);

  it('keeps each component\'s size, value sum and bounding box equal to a plain scan of its labels', () => {
    expect(n).toBe(3);
    let positive = 0;
    for (const x of v) if (x >= 0.5) positive++;
    expect(lab.total()).toBe(positive);
    for (let c = 1; c <= n; c++) {
      let size = 0;
      let sum = 0;
      let minX = w, minY = h, maxX = -1, maxY = -1;
      for (let i = 0; i < w * h; i++) {
        if (lab.labels[i] !== c) continue;
        size++;
        sum += v[i]!;
        const x = i % w;
        const y = Math.floor(i / w);
        minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      }
      expect(lab.sizes[c - 1]).toBe(size);
      expect(lab.sums[c - 1]).toBeCloseTo(sum, 9);
      expect(lab.box(c)).toEqual({ minX, minY, maxX, maxY });
    }
  });

  it('boundaryPoints over the bounding box finds exactly the points of a whole-map scan', () => {
    for (let c = 1; c <= n; c++) {
      const a = { xs: new Float64Array(8), ys: new Float64Array(8) };
      const b = { xs: new Float64Array(8), ys: new Float64Array(8) };
      const na = boundaryPoints(v, lab.labels, c, w, h, 0.5, a);
      const nb = boundaryPoints(v, lab.labels, c, w, h, 0.5, b, lab.box(c));
      expect(nb).toBe(na);
      expect(na).toBeGreaterThan(0);
      expect(Array.from(b.xs.subarray(0, nb))).toEqual(Array.from(a.xs.subarray(0, na)));
      expect(Array.from(b.ys.subarray(0, nb))).toEqual(Array.from(a.ys.subarray(0, na)));
    }
  });
});
