/**
 * Runs an image-to-image model (input and output on the same H×W grid, e.g. the enhancer) over a gray
 * image of any size at its native resolution: model-sized tiles with overlaps, each output pixel taken from
 * the tile where it lies farthest from the tile's edge, so no seam shows as long as `margin` (half the
 * overlap) is at least the model's receptive field and tiles start on multiples of 16 px (the block
 * phase of a strided first layer is kept). An image smaller than a tile is mirrored out to the tile's size. Nothing is resampled, so an enhanced file keeps its pixel grid exactly.
 *
 * Memory: the input plane goes straight into the engine's input buffer; the caller owns `out`.
 */
import type { InferenceEngine } from './engine.js';

const reflect = (i: number, n: number): number => {
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  i = ((i % p) + p) % p;
  return i < n ? i : p - i;
};

/**
 * Tile origins along one axis and the first pixel each tile writes (the next tile's start ends it).
 * Origins are multiples of `align`: a model that folds pixel blocks (the enhancer's stride-4 first layer)
 * gives different outputs for the same pixels at another block phase, so every tile keeps the image's
 * phase. The last tile may reach past the image's end; that part is mirrored image.
 */
export function tilePlan(size: number, tile: number, margin: number, align = 16): { origins: number[]; starts: number[] } {
  if (size <= tile) return { origins: [0], starts: [0] };
  const step = Math.max(align, Math.floor((tile - 2 * margin) / align) * align);
  const origins: number[] = [];
  for (let o = 0; o + tile < size; o += step) origins.push(o);
  origins.push(Math.ceil((size - tile) / align) * align);
  const starts = origins.map((o, k) => (k === 0 ? 0 : Math.round((origins[k - 1]! + tile + o) / 2)));
  return { origins, starts };
}

export interface TiledRun {
  tiles: number;
  inferenceMs: number;
  /** mean(model output) − mean(input), gray levels, taken out of the written image (a display filter keeps the brightness) */
  meanShiftRemoved: number;
}

export class TiledImageRunner {
  readonly #w: number;
  readonly #h: number;
  readonly #out: string;
  #plane = new Float32Array(0);

  /** `margin`: pixels of context kept on each side of a tile's written part (≥ the receptive field). */
  constructor(
    readonly engine: InferenceEngine,
    readonly margin = 64,
  ) {
    const m = engine.pkg.manifest;
    if (m.input.shape[1] !== 1) throw new Error(`Model "${m.id}" takes ${m.input.shape[1]} channels; tiling is for one-channel image models`);
    this.#h = m.input.shape[2];
    this.#w = m.input.shape[3];
    this.#out = m.outputs[0]!.name;
  }

  /**
   * Runs the model over `gray` (w×h, 8-bit) and writes the output, as 8-bit gray, into `out` (w×h), with
   * the image's mean brightness kept exactly (the model's small overall shift, image dependent, removed).
   */
  async run(gray: Uint8Array, w: number, h: number, out: Uint8Array): Promise<TiledRun> {
    const { scale, mean, std } = this.engine.pkg.manifest.input.normalize;
    const a = scale / std;
    const b = -mean / std;
    const tw = this.#w;
    const th = this.#h;
    const px = tilePlan(w, tw, this.margin);
    const py = tilePlan(h, th, this.margin);
    const input = this.engine.inputData[0];
    let inferenceMs = 0;
    let tiles = 0;
    if (this.#plane.length < w * h) this.#plane = new Float32Array(w * h);
    const plane = this.#plane;
    const rowIdx = new Int32Array(tw);
    for (let ty = 0; ty < py.origins.length; ty++) {
      const oy = py.origins[ty]!;
      const y0 = py.starts[ty]!;
      const y1 = ty + 1 < py.origins.length ? py.starts[ty + 1]! : h;
      for (let tx = 0; tx < px.origins.length; tx++) {
        const ox = px.origins[tx]!;
        const x0 = px.starts[tx]!;
        const x1 = tx + 1 < px.origins.length ? px.starts[tx + 1]! : w;
        for (let x = 0; x < tw; x++) rowIdx[x] = reflect(ox + x, w);
        for (let y = 0; y < th; y++) {
          const src = reflect(oy + y, h) * w;
          const dst = y * tw;
          for (let x = 0; x < tw; x++) input[dst + x] = gray[src + rowIdx[x]!]! * a + b;
        }
        const t = performance.now();
        const res = await this.engine.run(0);
        inferenceMs += performance.now() - t;
        tiles++;
        const o = res[this.#out];
        if (!o) throw new Error(`Model output "${this.#out}" is missing`);
        const k = std / scale;
        const c = mean / scale;
        for (let y = y0; y < y1; y++) {
          const srow = (y - oy) * tw - ox;
          for (let x = x0; x < x1; x++) plane[y * w + x] = o.data[srow + x]! * k + c;
        }
      }
    }
    let shift = 0;
    for (let i = 0; i < w * h; i++) shift += plane[i]! - gray[i]!;
    shift /= w * h;
    for (let i = 0; i < w * h; i++) {
      const v = plane[i]! - shift;
      out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
    return { tiles, inferenceMs, meanShiftRemoved: shift };
  }
}
