/**
 * Separable resampling with a triangle (bilinear) filter whose support widens when downscaling, the
 * same filter as PIL's `Image.resize(BILINEAR)` that the training pipeline used. Coefficients are
 * computed once per geometry; `run` allocates nothing.
 */
interface Coefficients {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array; // out × maxTaps
  maxTaps: number;
}

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(1, scale);
  const support = filterScale; // triangle support is 1
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
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
  readonly #h: Coefficients;
  readonly #v: Coefficients;
  readonly #tmp: Float32Array;

  constructor(
    readonly inWidth: number,
    readonly inHeight: number,
    readonly outWidth: number,
    readonly outHeight: number,
  ) {
    this.#h = coefficients(inWidth, outWidth);
    this.#v = coefficients(inHeight, outHeight);
    this.#tmp = new Float32Array(inHeight * outWidth);
  }

  /**
   * Reads gray values from `src` (row `stride` bytes, `channels` interleaved; RGB is converted with
   * BT.601 luma) starting at (x0, y0), writes `out[(oy + y) * outStride + ox + x] = value * a + b`.
   */
  run(src: Uint8Array, stride: number, channels: number, x0: number, y0: number,
    out: Float32Array, outStride: number, ox: number, oy: number, a: number, b: number): void {
    const { start: hs, count: hc, weights: hw, maxTaps: ht } = this.#h;
    const tmp = this.#tmp;
    const ow = this.outWidth;
    for (let y = 0; y < this.inHeight; y++) {
      const row = (y0 + y) * stride + x0 * channels;
      for (let o = 0; o < ow; o++) {
        const s = hs[o]!;
        const n = hc[o]!;
        let acc = 0;
        const wBase = o * ht;
        if (channels === 1) {
          for (let k = 0; k < n; k++) acc += src[row + s + k]! * hw[wBase + k]!;
        } else {
          for (let k = 0; k < n; k++) {
            const p = row + (s + k) * channels;
            acc += (0.299 * src[p]! + 0.587 * src[p + 1]! + 0.114 * src[p + 2]!) * hw[wBase + k]!;
          }
        }
        tmp[y * ow + o] = acc;
      }
    }
    const { start: vs, count: vc, weights: vw, maxTaps: vt } = this.#v;
    for (let o = 0; o < this.outHeight; o++) {
      const s = vs[o]!;
      const n = vc[o]!;
      const wBase = o * vt;
      const dst = (oy + o) * outStride + ox;
      for (let x = 0; x < ow; x++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += tmp[(s + k) * ow + x]! * vw[wBase + k]!;
        out[dst + x] = acc * a + b;
      }
    }
  }
}
