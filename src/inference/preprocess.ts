import type { Frame } from '../capture/frame.js';
import type { Manifest } from '../models/manifest.js';
import { Resampler } from './resample.js';

/**
 * Where the model's input pixels came from: model (mx, my) ↔ frame (fx, fy), pixel centres at integers.
 * fx = (mx - offsetX + 0.5) / scaleX - 0.5 + cropX
 */
export interface InputMapping {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
  cropX: number;
  cropY: number;
  modelWidth: number;
  modelHeight: number;
}

export function modelToFrame(m: InputMapping, mx: number, my: number): [number, number] {
  return modelToFrameInto(m, mx, my, [0, 0]);
}

/** modelToFrame into `out` (no tuple made: for a grid asked at every frame). */
export function modelToFrameInto(m: InputMapping, mx: number, my: number, out: [number, number]): [number, number] {
  out[0] = (mx - m.offsetX + 0.5) / m.scaleX - 0.5 + m.cropX;
  out[1] = (my - m.offsetY + 0.5) / m.scaleY - 0.5 + m.cropY;
  return out;
}

/**
 * Turns frames into the model's input tensor as its manifest says (crop, letterbox or stretch, scale and
 * normalise). Geometry-dependent tables are rebuilt only when the frame geometry changes (compared as numbers:
 * no key made per frame). Memory: nothing allocated per frame; of `out`, only what the letterbox leaves
 * uncovered is cleared (the resampler writes every pixel of the content rectangle), nothing at all for a frame
 * the model's size (the enhancer's 640×480: a 0.1 ms clear of 1.2 MB per frame before).
 */
export class Preprocessor {
  readonly #input: Manifest['input'];
  /** The geometry the tables are for: frame size, then the region read (x, y, width, height). */
  readonly #geometry = new Float64Array(6).fill(NaN);
  #resampler: Resampler | undefined;
  #mapping: InputMapping | undefined;
  /** The content rectangle's size in the model input (its corner is the mapping's offset). */
  #nw = 0;
  #nh = 0;

  constructor(input: Manifest['input']) {
    this.#input = input;
  }

  /** Fills `out` (C×H×W floats) from `frame`; returns the mapping back to frame pixels. */
  run(frame: Frame, out: Float32Array): InputMapping {
    const [, , mh, mw] = this.#input.shape;
    const crop = this.#input.cropToRegion;
    const r = frame.region;
    const rx = crop ? r.x : 0;
    const ry = crop ? r.y : 0;
    const rw = crop ? r.width : frame.width;
    const rh = crop ? r.height : frame.height;
    const g = this.#geometry;
    if (g[0] !== frame.width || g[1] !== frame.height || g[2] !== rx || g[3] !== ry || g[4] !== rw || g[5] !== rh || !this.#resampler || !this.#mapping) {
      let nw = mw;
      let nh = mh;
      if (this.#input.resize === 'letterbox') {
        const s = Math.min(mw / rw, mh / rh);
        nw = Math.max(1, Math.round(rw * s));
        nh = Math.max(1, Math.round(rh * s));
      }
      this.#resampler = new Resampler(rw, rh, nw, nh);
      this.#mapping = {
        scaleX: nw / rw,
        scaleY: nh / rh,
        offsetX: Math.floor((mw - nw) / 2),
        offsetY: Math.floor((mh - nh) / 2),
        cropX: rx,
        cropY: ry,
        modelWidth: mw,
        modelHeight: mh,
      };
      this.#nw = nw;
      this.#nh = nh;
      g.set([frame.width, frame.height, rx, ry, rw, rh]);
    }
    const { scale, mean, std } = this.#input.normalize;
    const a = scale / std;
    const b = -mean / std;
    const m = this.#mapping;
    this.#pad(out, mw, mh, b); // letterbox padding is pixel value 0
    // Multi-channel models get the same gray plane on each channel.
    const plane = mw * mh;
    this.#resampler.run(frame.data, frame.width * frame.channels, frame.channels, rx, ry, out, mw, m.offsetX, m.offsetY, a, b);
    for (let c = 1; c < this.#input.shape[1]; c++) out.copyWithin(c * plane, 0, plane);
    return m;
  }

  /** Sets the first plane's pixels outside the content rectangle to `value`: bands above and below, bars beside. */
  #pad(out: Float32Array, mw: number, mh: number, value: number): void {
    const { offsetX: ox, offsetY: oy } = this.#mapping!;
    const right = ox + this.#nw;
    const bottom = oy + this.#nh;
    if (oy > 0) out.fill(value, 0, oy * mw);
    if (bottom < mh) out.fill(value, bottom * mw, mh * mw);
    if (ox === 0 && right === mw) return;
    for (let y = oy; y < bottom; y++) {
      const row = y * mw;
      if (ox > 0) out.fill(value, row, row + ox);
      if (right < mw) out.fill(value, row + right, row + mw);
    }
  }
}
