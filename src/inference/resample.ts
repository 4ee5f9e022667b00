import { type Taps, WasmGrayResampler } from './resample-wasm.js';

/**
 * Separable resampling with a triangle (bilinear) filter whose support widens when downscaling, the
 * same filter as PIL's `Image.resize(BILINEAR)` that the training pipeline used. Coefficients are
 * computed once per geometry; `run` allocates nothing. One-channel frames (what grabbers deliver) go
 * through the WebAssembly SIMD kernel where the runtime has it (resample-wasm.ts), else the JS loops below.
 */

/** Per output pixel: first input pixel, tap count and `maxTaps` weights (doubles: no float32 rounding in the JS loops). */
function coefficients(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(1, scale);
  const support = filterScale; // triangle support is 1
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let total = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i - center + 0.5) / filterScale));
      weights[o * maxTaps + (i - lo)] = w;
      total += w;
    }
    for (let i = lo; i < hi; i++) weights[o * maxTaps + (i - lo)]! /= total || 1;
    start[o] = lo;
    count[o] = hi - lo;
  }
  return { start, count, weights, maxTaps };
}

/** Resamples a w×h window of an 8-bit plane (stride, channels, channel offset) into a float plane. */
export class Resampler {
  readonly #h: Taps;
  readonly #v: Taps;
  readonly #tmp: Float64Array;
  readonly #row: Float64Array;
  readonly #col: Float64Array;
  #wasm: WasmGrayResampler | undefined;
  // Same size in and out (the 640×480 enhancer on a 640×480 frame): every weight is 1 or 0, so each output
  // is a function of one input byte — a 256-entry table built with the live kernel's arithmetic.
  readonly #identity: boolean;
  readonly #lut = new Float32Array(256);
  #lutA = Number.NaN;
  #lutB = Number.NaN;

  constructor(
    readonly inWidth: number,
    readonly inHeight: number,
    readonly outWidth: number,
    readonly outHeight: number,
    options: { grayKernel?: 'auto' | 'js'; identityPath?: boolean } = {},
  ) {
    this.#identity = (options.identityPath ?? true) && inWidth === outWidth && inHeight === outHeight;
    this.#h = coefficients(inWidth, outWidth);
    this.#v = coefficients(inHeight, outHeight);
    this.#tmp = new Float64Array(inHeight * outWidth);
    this.#row = new Float64Array(outWidth);
    this.#col = new Float64Array(inWidth);
    this.#wasm = options.grayKernel === 'js' ? undefined : WasmGrayResampler.create(inWidth, inHeight, outWidth, outHeight, this.#h, this.#v);
  }

  /** Which code resamples one-channel frames. */
  get grayKernel(): 'wasm-simd' | 'js' {
    return this.#wasm ? 'wasm-simd' : 'js';
  }

  /**
   * Reads gray values from `src` (row `stride` bytes, `channels` interleaved; RGB is converted with
   * BT.601 luma) starting at (x0, y0), writes `out[(oy + y) * outStride + ox + x] = value * a + b`.
   */
  run(src: Uint8Array, stride: number, channels: number, x0: number, y0: number, out: Float32Array, outStride: number, ox: number, oy: number, a: number, b: number): void {
    const { start: hs, count: hc, weights: hw, maxTaps: ht } = this.#h;
    if (channels === 1) {
      if (this.#identity) return this.#copy(src, stride, x0, y0, out, outStride, ox, oy, a, b);
      if (this.#wasm) {
        try {
          return this.#wasm.run(src, stride, x0, y0, out, outStride, ox, oy, a, b);
        } catch {
          // its memory could not grow for a huge frame: the JS loops need none
          this.#wasm = undefined;
        }
      }
      this.#gray(src, stride, x0, y0, out, outStride, ox, oy, a, b);
      return;
    }
    const tmp = this.#tmp;
    const ow = this.outWidth;
    // RGB (rare: most grabbers deliver gray): horizontal pass with BT.601 luma, then vertical.
    for (let y = 0; y < this.inHeight; y++) {
      const row = (y0 + y) * stride + x0 * channels;
      for (let o = 0; o < ow; o++) {
        const s = hs[o]!;
        const n = hc[o]!;
        const wBase = o * ht;
        let acc = 0;
        for (let k = 0; k < n; k++) {
          const p = row + (s + k) * channels;
          acc += (0.299 * src[p]! + 0.587 * src[p + 1]! + 0.114 * src[p + 2]!) * hw[wBase + k]!;
        }
        tmp[y * ow + o] = acc;
      }
    }
    const { start: vs, count: vc, weights: vw, maxTaps: vt } = this.#v;
    // Row-wise accumulation: each tap adds a whole contiguous row of tmp (cache-friendly, no strided reads).
    const acc = this.#row;
    for (let o = 0; o < this.outHeight; o++) {
      const s = vs[o]!;
      const n = vc[o]!;
      const wBase = o * vt;
      acc.fill(0);
      for (let k = 0; k < n; k++) {
        const w = vw[wBase + k]!;
        const r = (s + k) * ow;
        for (let x = 0; x < ow; x++) acc[x]! += tmp[r + x]! * w;
      }
      const dst = (oy + o) * outStride + ox;
      for (let x = 0; x < ow; x++) out[dst + x] = acc[x]! * a + b;
    }
  }

  /** Whether one-channel frames take the same-size table path. */
  get identity(): boolean {
    return this.#identity;
  }

  /** Same size: out = table[byte], the table holding what the live kernel computes for weight 1 (f32 in wasm, f64 in JS). */
  #copy(src: Uint8Array, stride: number, x0: number, y0: number, out: Float32Array, outStride: number, ox: number, oy: number, a: number, b: number): void {
    const lut = this.#lut;
    if (a !== this.#lutA || b !== this.#lutB) {
      const [fa, fb] = [Math.fround(a), Math.fround(b)];
      for (let v = 0; v < 256; v++) lut[v] = this.#wasm ? Math.fround(v * fa) + fb : v * a + b;
      [this.#lutA, this.#lutB] = [a, b];
    }
    const w = this.outWidth;
    for (let y = 0; y < this.outHeight; y++) {
      const p = (y0 + y) * stride + x0;
      const d = (oy + y) * outStride + ox;
      for (let x = 0; x < w; x++) out[d + x] = lut[src[p + x]!]!;
    }
  }

  /**
   * One-channel path, vertical pass first: each output row is a weighted sum of a few whole contiguous
   * input rows (only outHeight rows are then filtered horizontally instead of inHeight) — ~2× faster than
   * horizontal-first on a 640×480 frame. Same separable filter, so the same values up to rounding.
   * Four or five taps (the usual 2–2.5× downscale) are summed in one pass, others three rows at a time,
   * and 2–5 horizontal taps are unrolled: the row buffer is written once or ceil(taps / 3) times per output
   * row instead of once per tap (1.5–1.8× faster for 640×480 → 298×224 on the development VM, whose speed
   * drifts by ±15% from minute to minute).
   */
  #gray(src: Uint8Array, stride: number, x0: number, y0: number, out: Float32Array, outStride: number, ox: number, oy: number, a: number, b: number): void {
    const { start: hs, count: hc, weights: hw, maxTaps: ht } = this.#h;
    const { start: vs, count: vc, weights: vw, maxTaps: vt } = this.#v;
    const row = this.#col;
    const inW = this.inWidth;
    const ow = this.outWidth;
    for (let o = 0; o < this.outHeight; o++) {
      const n = vc[o]!;
      const wBase = o * vt;
      let k = 0;
      if (n === 4 || n === 5) {
        // 2–2.5× downscale (a 480-row frame into a 176–224-row input): every tap in one pass
        const p0 = (y0 + vs[o]!) * stride + x0;
        const p1 = p0 + stride;
        const p2 = p1 + stride;
        const p3 = p2 + stride;
        const p4 = p3 + stride;
        const w0 = vw[wBase]!;
        const w1 = vw[wBase + 1]!;
        const w2 = vw[wBase + 2]!;
        const w3 = vw[wBase + 3]!;
        if (n === 5) {
          const w4 = vw[wBase + 4]!;
          for (let x = 0; x < inW; x++) row[x] = src[p0 + x]! * w0 + src[p1 + x]! * w1 + src[p2 + x]! * w2 + src[p3 + x]! * w3 + src[p4 + x]! * w4;
        } else for (let x = 0; x < inW; x++) row[x] = src[p0 + x]! * w0 + src[p1 + x]! * w1 + src[p2 + x]! * w2 + src[p3 + x]! * w3;
        k = n;
      }
      for (; k < n; k += 3) {
        const p0 = (y0 + vs[o]! + k) * stride + x0;
        const w0 = vw[wBase + k]!;
        const left = n - k;
        if (left >= 3) {
          const w1 = vw[wBase + k + 1]!;
          const w2 = vw[wBase + k + 2]!;
          const p1 = p0 + stride;
          const p2 = p1 + stride;
          if (k === 0) for (let x = 0; x < inW; x++) row[x] = src[p0 + x]! * w0 + src[p1 + x]! * w1 + src[p2 + x]! * w2;
          else for (let x = 0; x < inW; x++) row[x]! += src[p0 + x]! * w0 + src[p1 + x]! * w1 + src[p2 + x]! * w2;
        } else if (left === 2) {
          const w1 = vw[wBase + k + 1]!;
          const p1 = p0 + stride;
          if (k === 0) for (let x = 0; x < inW; x++) row[x] = src[p0 + x]! * w0 + src[p1 + x]! * w1;
          else for (let x = 0; x < inW; x++) row[x]! += src[p0 + x]! * w0 + src[p1 + x]! * w1;
        } else if (k === 0) for (let x = 0; x < inW; x++) row[x] = src[p0 + x]! * w0;
        else for (let x = 0; x < inW; x++) row[x]! += src[p0 + x]! * w0;
      }
      const dst = (oy + o) * outStride + ox;
      for (let q = 0; q < ow; q++) {
        const p = hs[q]!;
        const wb = q * ht;
        let acc: number;
        switch (hc[q]!) {
          case 5:
            acc = row[p]! * hw[wb]! + row[p + 1]! * hw[wb + 1]! + row[p + 2]! * hw[wb + 2]! + row[p + 3]! * hw[wb + 3]! + row[p + 4]! * hw[wb + 4]!;
            break;
          case 4:
            acc = row[p]! * hw[wb]! + row[p + 1]! * hw[wb + 1]! + row[p + 2]! * hw[wb + 2]! + row[p + 3]! * hw[wb + 3]!;
            break;
          case 3:
            acc = row[p]! * hw[wb]! + row[p + 1]! * hw[wb + 1]! + row[p + 2]! * hw[wb + 2]!;
            break;
          case 2:
            acc = row[p]! * hw[wb]! + row[p + 1]! * hw[wb + 1]!;
            break;
          default: {
            const m = hc[q]!;
            acc = 0;
            for (let k = 0; k < m; k++) acc += row[p + k]! * hw[wb + k]!;
          }
        }
        out[dst + q] = acc * a + b;
      }
    }
  }
}
