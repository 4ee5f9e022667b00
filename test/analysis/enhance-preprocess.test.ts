/**
 * The enhancer's preprocessing when the frame is already the model's size (640×480 into 640×480): the
 * resampler's table path against its general kernels (wasm SIMD and JS) — the same float32 bits for every
 * gray level, with window offsets (regions), odd sizes and several normalisations. The Preprocessor with
 * the bundled enhancer's manifest is checked to take it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Preprocessor } from '../../src/inference/preprocess.js';
import { Resampler } from '../../src/inference/resample.js';
import type { Manifest } from '../../src/models/manifest.js';
import { packageRoot } from '../../src/util/package-root.js';

function bytes(n: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    d[i] = i < 256 ? i : s >>> 24; // every gray level, then noise
  }
  return d;
}

/** Runs one resampler over a window of `src` into a padded plane; returns the plane's bits. */
function run(r: Resampler, src: Uint8Array, stride: number, x0: number, y0: number, pad: { ox: number; oy: number; stride: number; rows: number }, a: number, b: number): Uint32Array {
  const out = new Float32Array(pad.stride * pad.rows).fill(-7);
  r.run(src, stride, 1, x0, y0, out, pad.stride, pad.ox, pad.oy, a, b);
  return new Uint32Array(out.buffer);
}

describe('enhancer preprocessing, same size in and out', () => {
  const norms = [
    { a: 1 / 255, b: 0 }, // the enhancer: scale 1/255, mean 0, std 1
    { a: 1 / 255 / 0.229, b: -0.485 / 0.229 },
    { a: 1, b: -128.3 },
  ];
  const shapes = [
    { w: 640, h: 480, stride: 640, x0: 0, y0: 0 },
    { w: 501, h: 403, stride: 640, x0: 37, y0: 21 },
    { w: 97, h: 13, stride: 101, x0: 3, y0: 2 },
    { w: 1, h: 1, stride: 1, x0: 0, y0: 0 },
  ];
  for (const kernel of ['auto', 'js'] as const)
    for (const s of shapes)
      it(`gives the ${kernel} kernel's bits: ${s.w}×${s.h} at ${s.x0},${s.y0} of a ${s.stride}-wide frame`, () => {
        const src = bytes(s.stride * (s.y0 + s.h + 1), s.w * 7 + s.h);
        const fast = new Resampler(s.w, s.h, s.w, s.h, { grayKernel: kernel });
        const general = new Resampler(s.w, s.h, s.w, s.h, { grayKernel: kernel, identityPath: false });
        expect(fast.identity).toBe(true);
        expect(general.identity).toBe(false);
        const pad = { ox: 2, oy: 1, stride: s.w + 5, rows: s.h + 3 };
        for (const { a, b } of norms) {
          const g = run(general, src, s.stride, s.x0, s.y0, pad, a, b);
          const f = run(fast, src, s.stride, s.x0, s.y0, pad, a, b);
          const i = g.findIndex((v, k) => v !== f[k]);
          expect(i, `first differing float at ${i} (a ${a}, b ${b})`).toBe(-1);
        }
      });

  it('is what the Preprocessor takes for the bundled enhancer on a 640×480 frame, and only then', () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'models/enhance/manifest.json'), 'utf8')) as Manifest;
    const [, , mh, mw] = manifest.input.shape;
    const data = bytes(640 * 480, 3);
    const frame = { seq: 0, timestampMs: 0, width: 640, height: 480, channels: 1 as const, data, pixelSpacing: undefined, sourceId: 't', region: { x: 0, y: 0, width: 640, height: 480 } };
    const input = new Float32Array(mw * mh);
    new Preprocessor(manifest.input).run(frame, input);
    // the table path's values are the general kernel's (above); here: the frame went in unresampled
    const { scale, mean, std } = manifest.input.normalize;
    for (const i of [0, 1, 255, 640, 123457, 640 * 480 - 1]) expect(input[i]).toBeCloseTo((data[i]! * scale - mean) / std, 6);
    expect(new Resampler(640, 480, mw, mh).identity).toBe(mw === 640 && mh === 480);
    expect(new Resampler(640, 480, 320, 240).identity).toBe(false);
  });
});
