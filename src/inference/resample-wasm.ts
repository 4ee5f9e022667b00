/**
 * The gray resampler's two passes in WebAssembly SIMD (src/inference/wasm/resample-gray.ll, built by
 * scripts/build-wasm.sh): the vertical pass — most of the work — runs 4 pixels per SIMD step, the horizontal
 * pass as plain scalar wasm. Same filter and coefficients as the JS path, summed in float32 instead of
 * float64 (differences below 1e-4 gray levels). Why: preprocessing runs on the JS thread, and on a board
 * whose cores are busy with inference every millisecond there is taken from the model's run.
 *
 * One instance per geometry, with its own memory: coefficient tables, a row of scratch, the output window
 * and room for one frame. A frame is copied in whole (one memcpy: ~0.03 ms for 640×480, simpler than
 * copying the window's rows), the result copied out row by row through
 * views made once, so a frame allocates nothing; the memory grows only when a larger frame arrives.
 */
import { RESAMPLE_GRAY_WASM } from './wasm/resample-gray.wasm.js';

/** Separable filter coefficients for one axis, as resample.ts computes them. */
export interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  maxTaps: number;
}

interface Exports {
  resample_gray(
    src: number,
    stride: number,
    inW: number,
    outW: number,
    outH: number,
    vs: number,
    vc: number,
    vw: number,
    vt: number,
    hs: number,
    hc: number,
    hw: number,
    ht: number,
    row: number,
    out: number,
    outStride: number,
    a: number,
    b: number,
  ): void;
}

/** Compiled once per process; null where this runtime has no WebAssembly SIMD (the JS path is used). */
let compiled: WebAssembly.Module | null | undefined;
function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(RESAMPLE_GRAY_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65536;
const align = (n: number): number => (n + 15) & ~15;

export class WasmGrayResampler {
  readonly #memory: WebAssembly.Memory;
  readonly #fn: Exports['resample_gray'];
  readonly #ptr: { vs: number; vc: number; vw: number; hs: number; hc: number; hw: number; row: number; out: number; src: number };
  readonly #vt: number;
  readonly #ht: number;
  #bytes!: Uint8Array;
  #rows: Float32Array[] = [];

  private constructor(
    instance: WebAssembly.Instance,
    memory: WebAssembly.Memory,
    readonly inWidth: number,
    readonly inHeight: number,
    readonly outWidth: number,
    readonly outHeight: number,
    h: Taps,
    v: Taps,
  ) {
    this.#memory = memory;
    this.#fn = (instance.exports as unknown as Exports).resample_gray;
    this.#vt = v.maxTaps;
    this.#ht = h.maxTaps;
    let at = 16;
    const take = (bytes: number): number => {
      const p = at;
      at = align(at + bytes);
      return p;
    };
    this.#ptr = {
      vs: take(outHeight * 4),
      vc: take(outHeight * 4),
      vw: take(outHeight * v.maxTaps * 4),
      hs: take(outWidth * 4),
      hc: take(outWidth * 4),
      hw: take(outWidth * h.maxTaps * 4),
      row: take(inWidth * 4),
      out: take(outWidth * outHeight * 4),
      src: at,
    };
    this.#ensure(this.#ptr.src + inWidth * inHeight);
    const buf = memory.buffer;
    new Int32Array(buf, this.#ptr.vs, outHeight).set(v.start);
    new Int32Array(buf, this.#ptr.vc, outHeight).set(v.count);
    new Float32Array(buf, this.#ptr.vw, outHeight * v.maxTaps).set(v.weights);
    new Int32Array(buf, this.#ptr.hs, outWidth).set(h.start);
    new Int32Array(buf, this.#ptr.hc, outWidth).set(h.count);
    new Float32Array(buf, this.#ptr.hw, outWidth * h.maxTaps).set(h.weights);
  }

  /** A kernel for this geometry, or undefined where WebAssembly SIMD is not available. */
  static create(inWidth: number, inHeight: number, outWidth: number, outHeight: number, h: Taps, v: Taps): WasmGrayResampler | undefined {
    const mod = kernelModule();
    if (!mod) return undefined;
    try {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const instance = new WebAssembly.Instance(mod, { env: { __linear_memory: memory } });
      return new WasmGrayResampler(instance, memory, inWidth, inHeight, outWidth, outHeight, h, v);
    } catch {
      return undefined;
    }
  }

  /** Grows the memory to hold `bytes` and remakes the views (growing detaches the old buffer). */
  #ensure(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / PAGE));
    if (this.#bytes?.buffer === this.#memory.buffer) return;
    const buf = this.#memory.buffer;
    this.#bytes = new Uint8Array(buf);
    this.#rows = Array.from({ length: this.outHeight }, (_, o) => new Float32Array(buf, this.#ptr.out + o * this.outWidth * 4, this.outWidth));
  }

  /** Same contract as Resampler.run for one 8-bit channel: `src` rows of `stride` bytes, window at (x0, y0). */
  run(src: Uint8Array, stride: number, x0: number, y0: number, out: Float32Array, outStride: number, ox: number, oy: number, a: number, b: number): void {
    const p = this.#ptr;
    this.#ensure(p.src + src.length);
    this.#bytes.set(src, p.src);
    this.#fn(p.src + y0 * stride + x0, stride, this.inWidth, this.outWidth, this.outHeight, p.vs, p.vc, p.vw, this.#vt, p.hs, p.hc, p.hw, this.#ht, p.row, p.out, this.outWidth, a, b);
    const rows = this.#rows;
    for (let o = 0; o < rows.length; o++) out.set(rows[o]!, (oy + o) * outStride + ox);
  }
}
