/**
 * The self-guided filter (He, Sun & Tang, "Guided image filtering", IEEE TPAMI 2013) as an edge-preserving
 * blend after the enhancer (issue #22): in each (2r+1)² window the output is a·I + b with
 * a = var / (var + eps), b = (1 − a)·mean, then a and b are averaged over the windows covering the pixel.
 * Where the local variance is well above eps (an edge) the image is kept (a → 1); where it is below (speckle
 * residue in flat tissue) the pixel goes to the local mean (a → 0). O(N) with summed-area tables; windows are
 * clipped at the image border (means over the pixels inside). eps is in gray levels squared.
 */

function boxMean(src: Float64Array, w: number, h: number, r: number, out: Float64Array): void {
  const sat = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += src[y * w + x]!;
      sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1]! + row;
    }
  }
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      const s = sat[y1 * (w + 1) + x1]! - sat[y0 * (w + 1) + x1]! - sat[y1 * (w + 1) + x0]! + sat[y0 * (w + 1) + x0]!;
      out[y * w + x] = s / ((y1 - y0) * (x1 - x0));
    }
  }
}

export function guidedFilter(src: ArrayLike<number>, w: number, h: number, r: number, eps: number): Float32Array {
  const n = w * h;
  const I = Float64Array.from(src);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = I[i]! * I[i]!;
  const mean = new Float64Array(n);
  const meanSq = new Float64Array(n);
  boxMean(I, w, h, r, mean);
  boxMean(sq, w, h, r, meanSq);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.max(0, meanSq[i]! - mean[i]! * mean[i]!);
    a[i] = v / (v + eps);
    b[i] = (1 - a[i]!) * mean[i]!;
  }
  boxMean(a, w, h, r, mean);
  boxMean(b, w, h, r, meanSq);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mean[i]! * I[i]! + meanSq[i]!;
  return out;
}

/** Separable Gaussian blur of a float image, edges replicated. */
export function blurFloat(src: ArrayLike<number>, w: number, h: number, sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let a = 0;
      for (let i = -r; i <= r; i++) a += k[i + r]! * src[y * w + Math.min(w - 1, Math.max(0, x + i))]!;
      tmp[y * w + x] = a;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let a = 0;
      for (let i = -r; i <= r; i++) a += k[i + r]! * tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x]!;
      out[y * w + x] = a;
    }
  return out;
}

/**
 * Base restore: the smoothed image plus the low-pass (Gaussian σ) of what smoothing removed, so the
 * coarse contrast lost at a boundary comes back while the fine grain (speckle) stays removed.
 */
export function restoreBase(raw: ArrayLike<number>, smoothed: ArrayLike<number>, w: number, h: number, sigma: number): Float32Array {
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = raw[i]! - smoothed[i]!;
  const b = blurFloat(d, w, h, sigma);
  for (let i = 0; i < d.length; i++) b[i] = smoothed[i]! + b[i]!;
  return b;
}
