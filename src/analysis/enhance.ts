/**
 * Enhancement (display only): the enhancer's output image → an 8-bit gray image at the frame's size, with
 * the raw frame's mean brightness kept (the model's small, image-dependent overall shift is taken out).
 * It carries no clinical numbers: measurements always run on the raw frame. The image never reaches JSON
 * (EnhancedImage.toJSON keeps only its size), so a result logged, stored or sent as text holds no pixels.
 *
 * Named Inputs: `enhanced` (H×W, the model's input grid, normalised like its input).
 * Memory: one analyzer per model geometry; the output image and the resampling tables are reused for
 * every frame of the same geometry (the live plugin encodes the image synchronously, before the next), so
 * the pixel path allocates nothing per frame.
 * Notes: when the model grid is the frame's own pixel grid (the bundled 640×480 enhancer on a 640×480
 * frame) the bilinear tables are all weight 0, and the identity path writes the 8-bit image straight from
 * the model output — the same bits as the general path (test/analysis/enhance-fast-path.test.ts) for
 * finite outputs, without the float plane in between.
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

/** `identityPath: false` forces the general (bilinear) path even on an identical grid: the reference the tests and bench compare with. */
export interface EnhanceOptions {
  identityPath?: boolean | undefined;
}

export class EnhanceAnalyzer {
  #image: EnhancedImage | undefined;
  // the geometry the tables were built for: frame size and toFrame(0,0), toFrame(1,1) (numbers, no per-frame key string)
  #geom = new Float64Array(6).fill(NaN);
  #identity = false;
  readonly #identityPath: boolean;
  #x0: Int32Array = new Int32Array(0);
  #xw: Float32Array = new Float32Array(0);
  #y0: Int32Array = new Int32Array(0);
  #yw: Float32Array = new Float32Array(0);
  #plane: Float32Array = new Float32Array(0);

  constructor(
    readonly modelWidth: number,
    readonly modelHeight: number,
    readonly norm: OutputScale,
    options: EnhanceOptions = {},
  ) {
    this.#identityPath = options.identityPath ?? true;
  }

  /** Whether the last frame's geometry took the identity path (model grid = frame grid). */
  get identity(): boolean {
    return this.#identity && this.#identityPath;
  }

  analyze(out: Float32Array, grid: ModelGrid, frame: FrameGeometry): EnhanceResult {
    if (frame.signal && frame.signal.std < BLANK_STD) {
      return { task: 'enhance', enhanced: false, flags: [flag('blank-image', 'info', 'The image is blank (no ultrasound signal): nothing to enhance; the raw frame is shown.')] };
    }
    if ((frame.colourFraction ?? 0) > ENHANCE_COLOUR_FRACTION) {
      return { task: 'enhance', enhanced: false, flags: [flag('colour-doppler', 'info', 'Colour (Doppler) image: enhancement is for gray B-mode only; the raw frame is shown.')] };
    }
    const img = this.#tables(grid, frame.width, frame.height);
    const k = this.norm.std / this.norm.scale;
    const c = this.norm.mean / this.norm.scale;
    if (this.#identity && this.#identityPath) this.#copy(out, frame, k, c, img.data);
    else this.#resample(out, grid.width, frame, k, c, img.data);
    return { task: 'enhance', enhanced: true, image: img, flags: [] };
  }

  /**
   * Model grid = frame grid: gray = fround(v·k + c) (what the general path stores in its float plane, since
   * its weights are all 0), the mean shift measured on the same 4-px grid, then the 8-bit image in one pass.
   */
  #copy(out: Float32Array, frame: FrameGeometry, k: number, c: number, d: Uint8Array): void {
    const w = frame.width;
    let shift = 0;
    if (frame.signal) {
      const r = frame.region;
      let sum = 0;
      let n = 0;
      for (let y = r.y; y < r.y + r.height; y += 4)
        for (let x = r.x; x < r.x + r.width; x += 4) {
          sum += Math.fround(out[y * w + x]! * k + c);
          n++;
        }
      if (n > 0) shift = sum / n - frame.signal.mean;
    }
    const len = d.length;
    // Math.round(v) for v in [0.5, 254.5) is (v + 0.5) | 0: the sum can only round up to the next integer
    // below 0.5 (0.49999999999999994 + 0.5 = 1), which is sent to 0 first; NaN gives 0 both ways.
    for (let i = 0; i < len; i++) {
      const v = Math.fround(out[i]! * k + c) - shift;
      d[i] = v < 0.5 ? 0 : v >= 254.5 ? 255 : (v + 0.5) | 0;
    }
  }

  /** Any geometry: bilinear from the model grid into the float plane, mean shift, then the 8-bit image. */
  #resample(out: Float32Array, mw: number, frame: FrameGeometry, k: number, c: number, d: Uint8Array): void {
    const plane = this.#plane;
    const x0 = this.#x0;
    const xw = this.#xw;
    const y0 = this.#y0;
    const yw = this.#yw;
    const fw = frame.width;
    for (let y = 0; y < frame.height; y++) {
      const r0 = y0[y]! * mw;
      const wy = yw[y]!;
      const r1 = wy > 0 ? r0 + mw : r0;
      const row = y * fw;
      for (let x = 0; x < fw; x++) {
        const i = x0[x]!;
        const wx = xw[x]!;
        const j = wx > 0 ? i + 1 : i;
        const top = out[r0 + i]! + (out[r0 + j]! - out[r0 + i]!) * wx;
        const bottom = out[r1 + i]! + (out[r1 + j]! - out[r1 + i]!) * wx;
        plane[row + x] = (top + (bottom - top) * wy) * k + c;
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
    for (let i = 0; i < d.length; i++) {
      const v = plane[i]! - shift;
      d[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }

  /**
   * Bilinear sampling tables from frame pixels back to model pixels (the inverse of grid.toFrame, which
   * is affine), clamped to the model pixels whose centres lie on the frame (never letterbox padding). An
   * identical geometry (a 640×480 frame) gives weights 0: a plain copy.
   */
  #tables(grid: ModelGrid, w: number, h: number): EnhancedImage {
    const [ax, ay] = grid.toFrame(0, 0);
    const [bx, by] = grid.toFrame(1, 1);
    const g = this.#geom;
    if (this.#image && g[0] === w && g[1] === h && g[2] === ax && g[3] === ay && g[4] === bx && g[5] === by) return this.#image;
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
    let identity = w === grid.width && h === grid.height;
    for (let f = 0; identity && f < w; f++) identity = this.#x0[f] === f && this.#xw[f] === 0;
    for (let f = 0; identity && f < h; f++) identity = this.#y0[f] === f && this.#yw[f] === 0;
    this.#identity = identity;
    this.#image = new EnhancedImage(w, h, new Uint8Array(w * h));
    // the identity path needs no float plane
    this.#plane = identity && this.#identityPath ? new Float32Array(0) : new Float32Array(w * h);
    g.set([w, h, ax, ay, bx, by]);
    return this.#image;
  }
}
