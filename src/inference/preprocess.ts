import type { Frame, ImagingRegion } from '../capture/frame.js';
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
  return [(mx - m.offsetX + 0.5) / m.scaleX - 0.5 + m.cropX, (my - m.offsetY + 0.5) / m.scaleY - 0.5 + m.cropY];
}

/**
 * Turns frames into the model's input tensor as its manifest says (crop, letterbox or stretch, scale and
 * normalise). Geometry-dependent tables are rebuilt only when the frame geometry changes.
 */
export class Preprocessor {
  readonly #input: Manifest['input'];
  #key = '';
  #resampler: Resampler | undefined;
  #mapping: InputMapping | undefined;

  constructor(input: Manifest['input']) {
    this.#input = input;
  }

  /** Fills `out` (C×H×W floats) from `frame`; returns the mapping back to frame pixels. */
  run(frame: Frame, out: Float32Array): InputMapping {
    const [, , mh, mw] = this.#input.shape;
    const region: ImagingRegion = this.#input.cropToRegion ? frame.region : { x: 0, y: 0, width: frame.width, height: frame.height };
    const key = `${frame.width}x${frame.height}:${region.x},${region.y},${region.width},${region.height}`;
    if (key !== this.#key || !this.#resampler || !this.#mapping) {
      let nw = mw;
      let nh = mh;
      if (this.#input.resize === 'letterbox') {
        const s = Math.min(mw / region.width, mh / region.height);
        nw = Math.max(1, Math.round(region.width * s));
        nh = Math.max(1, Math.round(region.height * s));
      }
      this.#resampler = new Resampler(region.width, region.height, nw, nh);
      this.#mapping = {
        scaleX: nw / region.width,
        scaleY: nh / region.height,
        offsetX: Math.floor((mw - nw) / 2),
        offsetY: Math.floor((mh - nh) / 2),
        cropX: region.x,
        cropY: region.y,
        modelWidth: mw,
        modelHeight: mh,
      };
      this.#key = key;
    }
    const { scale, mean, std } = this.#input.normalize;
    const a = scale / std;
    const b = -mean / std;
    out.fill(b); // letterbox padding is pixel value 0
    const m = this.#mapping;
    // Multi-channel models get the same gray plane on each channel.
    const plane = mw * mh;
    this.#resampler.run(frame.data, frame.width * frame.channels, frame.channels, region.x, region.y, out, mw, m.offsetX, m.offsetY, a, b);
    for (let c = 1; c < this.#input.shape[1]; c++) out.copyWithin(c * plane, 0, plane);
    return m;
  }
}
