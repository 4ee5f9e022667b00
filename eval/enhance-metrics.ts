/**
 * Image-quality measures for speckle reduction (definitions also in models/enhance/MODEL_CARD.md).
 * Images are gray levels 0–255 (any numeric array), w×h row-major.
 *
 * Against a known noise-free image (simulated probe), inside `mask`:
 *   PSNR = 10·log10(255² / mean squared error)
 *   SSIM (Wang et al. 2004): 11×11 Gaussian window σ 1.5, C1 = (0.01·255)², C2 = (0.03·255)², averaged
 *        over window centres inside the mask
 * Around a lesion (BUSI masks), with d_out / d_in the Euclidean distance (px) to the lesion border from
 * outside / inside:
 *   lesion        d_in > 5                 ring (surrounding tissue)  5 < d_out ≤ 20
 *   CNR  = |μ_lesion − μ_ring| / √(σ²_lesion + σ²_ring)
 *   ENL  = μ²_ring / σ²_ring, the equivalent number of looks of the tissue around the lesion
 *   ENL 8×8 = median over 8×8 blocks lying wholly in the ring of μ²/σ²: speckle alone, without the
 *          tissue's structure across the ring
 *   edge step = |μ(0 < d_in ≤ 5) − μ(0 < d_out ≤ 5)|: the lesion's brightness step across its border, in
 *          the 5-px bands either side (blurring mixes the bands and lowers it)
 *   mean shift = mean(filtered) − mean(raw) over the whole image, gray levels
 */

export type Pixels = ArrayLike<number>;

export function psnr(img: Pixels, ref: Pixels, mask: Uint8Array): number {
  let se = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const d = img[i]! - ref[i]!;
    se += d * d;
    n++;
  }
  return 10 * Math.log10((255 * 255) / Math.max(se / Math.max(n, 1), 1e-12));
}

function blur11(src: Float64Array, w: number, h: number): Float64Array {
  const k = new Float64Array(11);
  let s = 0;
  for (let i = -5; i <= 5; i++) s += k[i + 5] = Math.exp(-(i * i) / (2 * 1.5 * 1.5));
  for (let i = 0; i < 11; i++) k[i]! /= s;
  const tmp = new Float64Array(w * h);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      for (let i = -5; i <= 5; i++) a += src[y * w + Math.min(w - 1, Math.max(0, x + i))]! * k[i + 5]!;
      tmp[y * w + x] = a;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      for (let i = -5; i <= 5; i++) a += tmp[Math.min(h - 1, Math.max(0, y + i)) * w + x]! * k[i + 5]!;
      out[y * w + x] = a;
    }
  }
  return out;
}

export function ssim(img: Pixels, ref: Pixels, mask: Uint8Array, w: number, h: number): number {
  const n = w * h;
  const a = Float64Array.from({ length: n }, (_, i) => img[i]!);
  const b = Float64Array.from({ length: n }, (_, i) => ref[i]!);
  const mul = (p: Float64Array, q: Float64Array): Float64Array => p.map((v, i) => v * q[i]!);
  const ma = blur11(a, w, h);
  const mb = blur11(b, w, h);
  const saa = blur11(mul(a, a), w, h);
  const sbb = blur11(mul(b, b), w, h);
  const sab = blur11(mul(a, b), w, h);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let s = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    const va = saa[i]! - ma[i]! ** 2;
    const vb = sbb[i]! - mb[i]! ** 2;
    const cov = sab[i]! - ma[i]! * mb[i]!;
    s += ((2 * ma[i]! * mb[i]! + c1) * (2 * cov + c2)) / ((ma[i]! ** 2 + mb[i]! ** 2 + c1) * (va + vb + c2));
    k++;
  }
  return s / Math.max(k, 1);
}

/** Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher) to the pixels where `on` is 1. */
export function distanceTo(on: Uint8Array, w: number, h: number): Float32Array {
  const INF = 1e20;
  const f = new Float64Array(Math.max(w, h));
  const d = new Float64Array(Math.max(w, h));
  const v = new Int32Array(Math.max(w, h));
  const z = new Float64Array(Math.max(w, h) + 1);
  const grid = new Float64Array(w * h);
  for (let i = 0; i < w * h; i++) grid[i] = on[i] ? 0 : INF;
  const pass = (n: number, get: (i: number) => number, set: (i: number, x: number) => void): void => {
    for (let i = 0; i < n; i++) f[i] = get(i);
    let k = 0;
    v[0] = 0;
    z[0] = -INF;
    z[1] = INF;
    for (let q = 1; q < n; q++) {
      let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      while (s <= z[k]!) {
        k--;
        s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = INF;
    }
    k = 0;
    for (let q = 0; q < n; q++) {
      while (z[k + 1]! < q) k++;
      d[q] = (q - v[k]!) ** 2 + f[v[k]!]!;
    }
    for (let i = 0; i < n; i++) set(i, d[i]!);
  };
  for (let x = 0; x < w; x++)
    pass(
      h,
      (i) => grid[i * w + x]!,
      (i, val) => (grid[i * w + x] = val),
    );
  for (let y = 0; y < h; y++)
    pass(
      w,
      (i) => grid[y * w + i]!,
      (i, val) => (grid[y * w + i] = val),
    );
  return Float32Array.from(grid, (s) => Math.sqrt(s));
}

export interface LesionRegions {
  lesion: Uint8Array;
  ring: Uint8Array;
  bandIn: Uint8Array;
  bandOut: Uint8Array;
}

/** The regions around a lesion mask (1 = lesion); pixels within 4 px of the image border are left out. */
export function lesionRegions(mask: Uint8Array, w: number, h: number): LesionRegions {
  const inv = mask.map((m) => (m ? 0 : 1));
  const dOut = distanceTo(mask, w, h);
  const dIn = distanceTo(inv, w, h);
  const n = w * h;
  const r: LesionRegions = { lesion: new Uint8Array(n), ring: new Uint8Array(n), bandIn: new Uint8Array(n), bandOut: new Uint8Array(n) };
  for (let y = 4; y < h - 4; y++) {
    for (let x = 4; x < w - 4; x++) {
      const i = y * w + x;
      if (mask[i]) {
        if (dIn[i]! > 5) r.lesion[i] = 1;
        else r.bandIn[i] = 1;
      } else {
        if (dOut[i]! <= 5) r.bandOut[i] = 1;
        else if (dOut[i]! > 5 && dOut[i]! <= 20) r.ring[i] = 1;
      }
    }
  }
  return r;
}

function stats(img: Pixels, m: Uint8Array): { mean: number; variance: number; n: number } {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let i = 0; i < m.length; i++) {
    if (!m[i]) continue;
    s += img[i]!;
    s2 += img[i]! * img[i]!;
    n++;
  }
  const mean = s / Math.max(n, 1);
  return { mean, variance: Math.max(0, s2 / Math.max(n, 1) - mean * mean), n };
}

export function cnr(img: Pixels, r: LesionRegions): number {
  const a = stats(img, r.lesion);
  const b = stats(img, r.ring);
  return Math.abs(a.mean - b.mean) / Math.sqrt(a.variance + b.variance + 1e-9);
}

export function enl(img: Pixels, r: LesionRegions): number {
  const s = stats(img, r.ring);
  return (s.mean * s.mean) / Math.max(s.variance, 1e-9);
}

export function enlLocal(img: Pixels, r: LesionRegions, w: number, h: number): number {
  const vals: number[] = [];
  for (let by = 0; by + 8 <= h; by += 8) {
    for (let bx = 0; bx + 8 <= w; bx += 8) {
      let inside = true;
      let s = 0;
      let s2 = 0;
      for (let y = by; y < by + 8 && inside; y++) {
        for (let x = bx; x < bx + 8; x++) {
          const i = y * w + x;
          if (!r.ring[i]) {
            inside = false;
            break;
          }
          s += img[i]!;
          s2 += img[i]! * img[i]!;
        }
      }
      if (!inside) continue;
      const mean = s / 64;
      const variance = s2 / 64 - mean * mean;
      if (mean > 1) vals.push((mean * mean) / Math.max(variance, 1e-6));
    }
  }
  if (vals.length === 0) return NaN;
  vals.sort((a, b) => a - b);
  return vals[Math.floor(vals.length / 2)]!;
}

export function edgeStep(img: Pixels, r: LesionRegions): number {
  return Math.abs(stats(img, r.bandIn).mean - stats(img, r.bandOut).mean);
}

export function meanShift(img: Pixels, raw: Pixels): number {
  let s = 0;
  for (let i = 0; i < raw.length; i++) s += img[i]! - raw[i]!;
  return s / Math.max(raw.length, 1);
}
