/**
 * Enhancement (display only): the enhancer's output image → an 8-bit gray image at the frame's size, with
 * the raw frame's mean brightness kept (the model's small, image-dependent overall shift is taken out).
 * It carries no clinical numbers: measurements always run on the raw frame. The image never reaches JSON
 * (EnhancedImage.toJSON keeps only its size), so a result logged, stored or sent as text holds no pixels.
 *
 * Named Inputs: `enhanced` (H×W, the model's input grid, normalised like its input).
 * Memory: one analyzer per model geometry; the output image and the resampling tables are reused for
 * every frame of the same geometry (the live plugin encodes the image synchronously, before the next).
 */
import { type Flag, flag } from './flags.js';
import type { FrameGeometry, ModelGrid } from './grid.js';
import { BLANK_STD } from './signal.js';

/** More clearly coloured pixels than this share of the image: a colour Doppler frame, left as it is. */
export const ENHANCE_COLOUR_FRACTION = 0.01;

/** An enhanced frame: 8-bit gray, row-major, `width`×`height` (the raw frame's size). */
export class EnhancedImage {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly data: Uint8Array,
  ) {}

  toJSON(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }
}

export interface EnhanceResult {
  task: 'enhance';
  /** false: the frame was left as it is (blank, colour Doppler) and the raw frame is the one to show */
  enhanced: boolean;
  image?: EnhancedImage | undefined;
  flags: Flag[];
}

/** How to turn the model output (its normalisation) back into gray levels: gray = (v·std + mean) / scale. */
export interface OutputScale {
  scale: number;
  mean: number;
  std: number;
}

export class EnhanceAnalyzer {
  #image: EnhancedImage | undefined;
  #key = '';
  #x0: Int32Array = new Int32Array(0);
  #xw: Float32Array = new Float32Array(0);
  #y0: Int32Array = new Int32Array(0);
  #yw: Float32Array = new Float32Array(0);
  #plane: Float32Array = new Float32Array(0);

  constructor(
    readonly modelWidth: number,
    readonly modelHeight: number,
    readonly norm: OutputScale,
  ) {}

  analyze(out: Float32Array, grid: ModelGrid, frame: FrameGeometry): EnhanceResult {
    if (frame.signal && frame.signal.std < BLANK_STD) {
      return { task: 'enhance', enhanced: false, flags: [flag('blank-image', 'info', 'The image is blank (no ultrasound signal): nothing to enhance; the raw frame is shown.')] };
    }
    if ((frame.colourFraction ?? 0) > ENHANCE_COLOUR_FRACTION) {
      return { task: 'enhance', enhanced: false, flags: [flag('colour-doppler', 'info', 'Colour (Doppler) image: enhancement is for gray B-mode only; the raw frame is shown.')] };
    }
    const img = this.#tables(grid, frame.width, frame.height);
    const { width: mw } = grid;
    const k = this.norm.std / this.norm.scale;
    const c = this.norm.mean / this.norm.scale;
    const plane = this.#plane;
    for (let y = 0; y < frame.height; y++) {
      const r0 = this.#y0[y]! * mw;
      const wy = this.#yw[y]!;
      const r1 = wy > 0 ? r0 + mw : r0;
      for (let x = 0; x < frame.width; x++) {
        const i = this.#x0[x]!;
        const wx = this.#xw[x]!;
        const j = wx > 0 ? i + 1 : i;
        const top = out[r0 + i]! + (out[r0 + j]! - out[r0 + i]!) * wx;
        const bottom = out[r1 + i]! + (out[r1 + j]! - out[r1 + i]!) * wx;
        plane[y * frame.width + x] = (top + (bottom - top) * wy) * k + c;
      }
    }
    // Keep the mean brightness: the model's small overall shift (image dependent) is taken out, measured on
    // the same 4-px grid of the imaging region as the raw frame's mean (regionSignal).
    let shift = 0;
    if (frame.signal) {
      const r = frame.region;
      let sum = 0;
      let n = 0;
      for (let y = r.y; y < r.y + r.height; y += 4)
        for (let x = r.x; x < r.x + r.width; x += 4) {
          sum += plane[y * frame.width + x]!;
          n++;
        }
      if (n > 0) shift = sum / n - frame.signal.mean;
    }
    const d = img.data;
    for (let i = 0; i < d.length; i++) {
      const v = plane[i]! - shift;
      d[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    return { task: 'enhance', enhanced: true, image: img, flags: [] };
  }

  /**
   * Bilinear sampling tables from frame pixels back to model pixels (the inverse of grid.toFrame, which
   * is affine), clamped to the model pixels whose centres lie on the frame (never letterbox padding). An
   * identical geometry (a 640×480 frame) gives weights 0: a plain copy.
   */
  #tables(grid: ModelGrid, w: number, h: number): EnhancedImage {
    const [ax, ay] = grid.toFrame(0, 0);
    const [bx, by] = grid.toFrame(1, 1);
    const key = `${w}x${h}:${ax},${ay},${bx},${by}`;
    if (key === this.#key && this.#image) return this.#image;
    const axis = (n: number, a: number, b: number, modelSize: number): [Int32Array, Float32Array] => {
      const idx = new Int32Array(n);
      const wt = new Float32Array(n);
      const lo = Math.max(0, Math.ceil((-0.5 - a) / (b - a) - 1e-6));
      const hi = Math.min(modelSize - 1, Math.floor((n - 0.5 - a) / (b - a) + 1e-6));
      for (let f = 0; f < n; f++) {
        const m = Math.min(hi, Math.max(lo, (f - a) / (b - a)));
        const i = Math.min(hi, Math.floor(m + 1e-6));
        idx[f] = i;
        wt[f] = i < hi ? Math.max(0, m - i) : 0;
        if (wt[f]! < 1e-4) wt[f] = 0;
      }
      return [idx, wt];
    };
    [this.#x0, this.#xw] = axis(w, ax, bx, grid.width);
    [this.#y0, this.#yw] = axis(h, ay, by, grid.height);
    this.#image = new EnhancedImage(w, h, new Uint8Array(w * h));
    this.#plane = new Float32Array(w * h);
    this.#key = key;
    return this.#image;
  }
}
