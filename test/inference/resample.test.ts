import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Resampler } from '../../src/inference/resample.js';

/**
 * Reference: PIL's BILINEAR resize written the slow, obvious way — for each output pixel, the 2-D product of
 * the two 1-D triangle kernels (support widened by the downscale factor), normalised per axis.
 */
function kernel1d(inSize: number, outSize: number, o: number): Array<[number, number]> {
  const scale = inSize / outSize;
  const fs = Math.max(1, scale);
  const center = (o + 0.5) * scale;
  const taps: Array<[number, number]> = [];
  let total = 0;
  for (let i = Math.max(0, Math.trunc(center - fs + 0.5)); i < Math.min(inSize, Math.trunc(center + fs + 0.5)); i++) {
    const w = Math.max(0, 1 - Math.abs((i - center + 0.5) / fs));
    taps.push([i, w]);
    total += w;
  }
  return taps.map(([i, w]) => [i, w / total]);
}

function reference(src: Uint8Array, stride: number, ch: number, x0: number, y0: number, w: number, h: number, ow: number, oh: number): Float64Array {
  const out = new Float64Array(ow * oh);
  const gray = (x: number, y: number): number => {
    const p = (y0 + y) * stride + (x0 + x) * ch;
    return ch === 1 ? src[p]! : 0.299 * src[p]! + 0.587 * src[p + 1]! + 0.114 * src[p + 2]!;
  };
  for (let oy = 0; oy < oh; oy++) {
    const ky = kernel1d(h, oh, oy);
    for (let ox = 0; ox < ow; ox++) {
      let acc = 0;
      for (const [x, wx] of kernel1d(w, ow, ox)) for (const [y, wy] of ky) acc += gray(x, y) * wx * wy;
      out[oy * ow + ox] = acc;
    }
  }
  return out;
}

function noise(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s >>> 24;
  }
  return a;
}

describe('Resampler (PIL bilinear)', () => {
  const cases: Array<{ name: string; fw: number; fh: number; ch: 1 | 3; x0: number; y0: number; w: number; h: number; ow: number; oh: number }> = [
    { name: 'gray 640×480 crop → 298×224 (the live path)', fw: 640, fh: 480, ch: 1, x0: 1, y0: 0, w: 638, h: 480, ow: 298, oh: 224 },
    { name: 'gray upscale 50×40 → 131×97', fw: 60, fh: 50, ch: 1, x0: 7, y0: 5, w: 50, h: 40, ow: 131, oh: 97 },
    // Every branch of the gray path (4–5 vertical taps in one pass, else groups of 1–3 rows; 2–5 horizontal taps unrolled, more in the loop):
    { name: 'gray 1280×1024 → 180×150 (10–15 taps)', fw: 1280, fh: 1024, ch: 1, x0: 0, y0: 0, w: 1280, h: 1024, ow: 180, oh: 150 },
    { name: 'gray 300×200 → 200×150 (2–3 taps)', fw: 300, fh: 200, ch: 1, x0: 0, y0: 0, w: 300, h: 200, ow: 200, oh: 150 },
    { name: 'gray same size 64×48 (identity)', fw: 64, fh: 48, ch: 1, x0: 0, y0: 0, w: 64, h: 48, ow: 64, oh: 48 },
    { name: 'RGB 200×150 crop → 64×45', fw: 220, fh: 160, ch: 3, x0: 10, y0: 4, w: 200, h: 150, ow: 64, oh: 45 },
  ];
  for (const c of cases) for (const kernel of c.ch === 1 ? (['auto', 'js'] as const) : (['auto'] as const)) {
    it(`matches the per-pixel reference: ${c.name}${kernel === 'js' ? ' (JS kernel)' : ''}`, () => {
      const src = noise(c.fw * c.fh * c.ch, c.fw + c.ch);
      const pad = 3;
      const outStride = c.ow + 2 * pad;
      const out = new Float32Array(outStride * (c.oh + 2 * pad)).fill(-7);
      const r = new Resampler(c.w, c.h, c.ow, c.oh, { grayKernel: kernel });
      // Node 20 has WebAssembly SIMD everywhere this runs: the fast path must be the one tested here
      if (c.ch === 1) expect(r.grayKernel).toBe(kernel === 'js' ? 'js' : 'wasm-simd');
      r.run(src, c.fw * c.ch, c.ch, c.x0, c.y0, out, outStride, pad, pad, 2, 1);
      const ref = reference(src, c.fw * c.ch, c.ch, c.x0, c.y0, c.w, c.h, c.ow, c.oh);
      let maxErr = 0;
      for (let y = 0; y < c.oh; y++) for (let x = 0; x < c.ow; x++) maxErr = Math.max(maxErr, Math.abs(out[(y + pad) * outStride + x + pad]! - (ref[y * c.ow + x]! * 2 + 1)));
      expect(maxErr).toBeLessThan(1e-3);
      // The letterbox border is left as it was.
      expect(out[0]).toBe(-7);
      expect(out[out.length - 1]).toBe(-7);
    });
  }

  it('one resampler takes frames of any size around the same window (the wasm memory grows, results stay exact)', () => {
    const r = new Resampler(100, 80, 45, 36);
    for (const [fw, fh, x0, y0] of [[120, 90, 3, 4], [1920, 1080, 700, 500], [100, 80, 0, 0]] as const) {
      const src = noise(fw * fh, fw);
      const out = new Float32Array(45 * 36);
      r.run(src, fw, 1, x0, y0, out, 45, 0, 0, 1, 0);
      const ref = reference(src, fw, 1, x0, y0, 100, 80, 45, 36);
      let maxErr = 0;
      for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i]! - ref[i]!));
      expect(maxErr).toBeLessThan(1e-3);
    }
  });
});

const root = join(import.meta.dirname, '..', '..');
const llvm = ['opt', 'llc'].every((t) => spawnSync('sh', ['-c', `command -v ${t} || test -x /usr/lib/llvm-14/bin/${t}`]).status === 0);
// LLVM (llvm-14) comes with the test dependencies (scripts/setup.sh); without it only this check is skipped.
describe.skipIf(!llvm)('WebAssembly kernels (needs LLVM opt and llc: apt install llvm-14)', () => {
  it('the committed module is what scripts/build-wasm.sh makes from its .ll source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-'));
    try {
      const r = spawnSync(join(root, 'scripts', 'build-wasm.sh'), [dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const name = 'resample-gray.wasm.ts';
      expect(existsSync(join(dir, name))).toBe(true);
      expect(readFileSync(join(dir, name), 'utf8')).toBe(readFileSync(join(root, 'src', 'inference', 'wasm', name), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

