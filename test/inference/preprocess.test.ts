import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { Preprocessor } from '../../src/inference/preprocess.js';
import type { Manifest } from '../../src/models/manifest.js';

type Input = Manifest['input'];
const input = (shape: Input['shape'], resize: Input['resize'], cropToRegion: boolean): Input => ({
  name: 'image',
  shape,
  layout: 'NCHW',
  normalize: { scale: 1 / 255, mean: 0.2, std: 0.5 }, // padding (pixel value 0) is -0.4: not the 0 of a fresh buffer
  resize,
  cropToRegion,
});

/** A frame of `width`×`height` with speckle (deterministic), gray or RGB, its imaging region inset by a tenth. */
function frame(seq: number, width: number, height: number, channels: 1 | 3): Frame {
  const data = new Uint8Array(width * height * channels);
  let s = 1234 + seq;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s >>> 16) & 255;
  }
  const region = { x: Math.floor(width / 10), y: Math.floor(height / 10), width: width - 2 * Math.floor(width / 10), height: height - 2 * Math.floor(height / 10) };
  return { seq, timestampMs: 0, width, height, channels, data, pixelSpacing: undefined, sourceId: 'pre', region };
}

// Sizes that change from frame to frame: wide and tall (bands, then bars), the model's own size, back again.
const SIZES: Array<[number, number, 1 | 3]> = [
  [640, 480, 1],
  [1024, 300, 1],
  [300, 700, 1],
  [640, 480, 1],
  [320, 224, 1],
  [800, 600, 3],
  [640, 480, 1],
  [640, 480, 1],
  [200, 200, 3],
];

describe('Preprocessor', () => {
  const inputs: Array<[string, Input]> = [
    ['fetal-head-like: letterboxed, cropped to the region', input([1, 1, 224, 320], 'letterbox', true)],
    ['enhance-like: letterboxed, whole frame, the model the frame size', input([1, 1, 480, 640], 'letterbox', false)],
    ['three channels, letterboxed', input([1, 3, 64, 96], 'letterbox', true)],
    ['stretched', input([1, 1, 64, 96], 'stretch', false)],
  ];
  for (const [name, inp] of inputs) {
    it(`${name}: one buffer reused over changing frame sizes equals a from-scratch preprocess, clearing only the letterbox`, () => {
      const n = inp.shape[1] * inp.shape[2] * inp.shape[3];
      const plane = inp.shape[2] * inp.shape[3];
      const pre = new Preprocessor(inp);
      const reused = new Float32Array(n).fill(Number.NaN);
      let cleared = 0; // elements cleared by fill() on the reused buffer, this frame
      const fill = reused.fill.bind(reused);
      reused.fill = (value: number, start = 0, end = reused.length) => {
        cleared += end - start;
        return fill(value, start, end);
      };
      for (const [seq, [w, h, ch]] of SIZES.entries()) {
        const f = frame(seq, w, h, ch);
        cleared = 0;
        const mapping = pre.run(f, reused);
        // From scratch: a new Preprocessor into a new buffer, every element first set to the padding value.
        const fresh = new Float32Array(n).fill((0 - inp.normalize.mean) / inp.normalize.std);
        new Preprocessor(inp).run(f, fresh);
        expect(Array.from(reused), `frame ${seq} (${w}×${h})`).toEqual(Array.from(fresh));
        const content = Math.round(mapping.scaleX * (inp.cropToRegion ? f.region.width : w)) * Math.round(mapping.scaleY * (inp.cropToRegion ? f.region.height : h));
        expect(cleared, `frame ${seq}: elements cleared`).toBe(plane - content);
      }
    });
  }
});
