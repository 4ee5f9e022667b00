/**
 * The enhancer's identity path (model grid = frame grid) against its general bilinear path: the same bytes
 * on real-shaped frames (640×480, odd sizes, region offsets, with and without the raw frame's signal) and on
 * values placed at the rounding and clamping edges. Geometry comes from the real Preprocessor mapping.
 */
import { describe, expect, it } from 'vitest';
import { EnhanceAnalyzer, type OutputScale } from '../../src/analysis/enhance.js';
import type { FrameGeometry, ModelGrid } from '../../src/analysis/grid.js';
import type { ImagingRegion } from '../../src/capture/frame.js';
import { Preprocessor, modelToFrame } from '../../src/inference/preprocess.js';

const ENHANCER_NORM: OutputScale = { scale: 1 / 255, mean: 0, std: 1 };

/** The grid ModelRunner builds for a letterboxed model of the frame's own size (the bundled enhancer's geometry). */
function gridFor(w: number, h: number): ModelGrid {
  const pre = new Preprocessor({ name: 'image', shape: [1, 1, h, w], layout: 'NCHW', normalize: ENHANCER_NORM, resize: 'letterbox', cropToRegion: false });
  const data = new Uint8Array(w * h);
  const m = pre.run({ seq: 0, timestampMs: 0, width: w, height: h, channels: 1, data, pixelSpacing: undefined, sourceId: 't', region: { x: 0, y: 0, width: w, height: h } }, new Float32Array(w * h));
  return { width: m.modelWidth, height: m.modelHeight, toFrame: (x, y) => modelToFrame(m, x, y) };
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function both(out: Float32Array, w: number, h: number, frame: FrameGeometry, norm = ENHANCER_NORM): { general: Uint8Array; fast: Uint8Array } {
  const grid = gridFor(w, h);
  const general = new EnhanceAnalyzer(w, h, norm, { identityPath: false });
  const fast = new EnhanceAnalyzer(w, h, norm);
  const g = general.analyze(out, grid, frame).image!.data;
  const f = fast.analyze(out, grid, frame).image!.data;
  expect(fast.identity).toBe(true);
  expect(general.identity).toBe(false);
  return { general: g, fast: f };
}

function geometry(w: number, h: number, region: ImagingRegion, signal: { mean: number; std: number } | undefined): FrameGeometry {
  return { width: w, height: h, region, pixelSpacing: undefined, signal, colourFraction: 0 };
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const i = a.findIndex((v, k) => v !== b[k]);
  return i < 0 ? 'none' : `pixel ${i}: general ${a[i]}, identity ${b[i]}`;
}

describe('enhancer identity path', () => {
  const cases: Array<{ w: number; h: number; region: ImagingRegion; signal?: { mean: number; std: number } }> = [
    { w: 640, h: 480, region: { x: 0, y: 0, width: 640, height: 480 }, signal: { mean: 83.7, std: 30 } },
    { w: 640, h: 480, region: { x: 37, y: 21, width: 501, height: 403 }, signal: { mean: 120.25, std: 12 } },
    { w: 640, h: 480, region: { x: 0, y: 0, width: 640, height: 480 } },
    { w: 641, h: 479, region: { x: 3, y: 5, width: 633, height: 471 }, signal: { mean: 64, std: 9 } },
    { w: 97, h: 13, region: { x: 1, y: 2, width: 95, height: 11 }, signal: { mean: 201.5, std: 4 } },
    { w: 1, h: 1, region: { x: 0, y: 0, width: 1, height: 1 }, signal: { mean: 10, std: 3 } },
  ];
  for (const [n, c] of cases.entries()) {
    it(`gives the general path's bytes: ${c.w}×${c.h}, region ${c.region.x},${c.region.y} ${c.region.width}×${c.region.height}, ${c.signal ? 'mean kept' : 'no signal'}`, () => {
      const r = rng(n + 1);
      // the enhancer's output range (gray/255, not clipped): mostly 0–1, some under 0 and over 1
      const out = Float32Array.from({ length: c.w * c.h }, () => r() * 1.3 - 0.15);
      const { general, fast } = both(out, c.w, c.h, geometry(c.w, c.h, c.region, c.signal));
      expect(firstDifference(general, fast)).toBe('none');
      expect(new Set(fast).size).toBeGreaterThan(Math.min(200, c.w * c.h - 1)); // a real image, not a constant
    });
  }

  it('rounds and clamps like the general path at the edges (ties, just under ties, 0.5, 254.5, ±0, NaN, huge)', () => {
    const w = 64;
    const h = 17;
    const edges: number[] = [-0, 0, -1e30, 1e30, Number.NaN, 0.49999997, 0.5, 0.50000006, 254.49998, 254.5, 254.50002, 255, 255.00002, 256];
    for (let g = 0; g < 255; g++) edges.push(g + 0.5, Math.fround(g + 0.5 - 2 ** -15), Math.fround(g + 0.5 + 2 ** -15), g);
    const out = new Float32Array(w * h);
    out.set(edges);
    // scale 1: the output value is the gray level itself, so the values above reach the rounding untouched
    const unit: OutputScale = { scale: 1, mean: 0, std: 1 };
    const { general, fast } = both(out, w, h, geometry(w, h, { x: 0, y: 0, width: w, height: h }, undefined), unit);
    expect(firstDifference(general, fast)).toBe('none');
    expect(Array.from(fast.subarray(0, 14))).toEqual([0, 0, 0, 255, 0, 0, 1, 1, 254, 255, 255, 255, 255, 255]);
    // the enhancer's own scale, where v·255 lands near a tie in float32
    const ties = Float32Array.from({ length: w * h }, (_, i) => Math.fround(((i % 256) + 0.5) / 255));
    const t = both(ties, w, h, geometry(w, h, { x: 0, y: 0, width: w, height: h }, undefined));
    expect(firstDifference(t.general, t.fast)).toBe('none');
  });

  it('keeps the mean like the general path to the last bit (uniform outputs, raw mean on a rounding tie)', () => {
    // gray = v·255 is not exact in float32: a shift measured on unrounded values moves every pixel off the tie
    const [w, h] = [33, 17];
    const region = { x: 4, y: 3, width: 25, height: 11 };
    for (const x of [0.3, 0.7, 0.1, 0.9, 0.6]) {
      const out = new Float32Array(w * h).fill(x);
      const { general, fast } = both(out, w, h, geometry(w, h, region, { mean: 120.5, std: 5 }));
      expect(firstDifference(general, fast), `output ${x}`).toBe('none');
    }
  });

  it('takes the general path when the grids differ, and reuses its image buffer frame after frame', () => {
    const pre = new Preprocessor({ name: 'image', shape: [1, 1, 240, 320], layout: 'NCHW', normalize: ENHANCER_NORM, resize: 'letterbox', cropToRegion: false });
    const f = {
      seq: 0,
      timestampMs: 0,
      width: 640,
      height: 480,
      channels: 1 as const,
      data: new Uint8Array(640 * 480),
      pixelSpacing: undefined,
      sourceId: 't',
      region: { x: 0, y: 0, width: 640, height: 480 },
    };
    const m = pre.run(f, new Float32Array(320 * 240));
    const grid: ModelGrid = { width: 320, height: 240, toFrame: (x, y) => modelToFrame(m, x, y) };
    const a = new EnhanceAnalyzer(320, 240, ENHANCER_NORM);
    const out = Float32Array.from({ length: 320 * 240 }, (_, i) => (i % 320) / 320);
    const first = a.analyze(out, grid, geometry(640, 480, f.region, { mean: 100, std: 20 })).image!;
    expect(a.identity).toBe(false);
    const second = a.analyze(out, grid, geometry(640, 480, f.region, { mean: 100, std: 20 })).image!;
    expect(second.data).toBe(first.data);
    const same = new EnhanceAnalyzer(640, 480, ENHANCER_NORM);
    const g = gridFor(640, 480);
    const o = new Float32Array(640 * 480).fill(0.4);
    const i1 = same.analyze(o, g, geometry(640, 480, f.region, undefined)).image!;
    expect(same.analyze(o, g, geometry(640, 480, f.region, undefined)).image!.data).toBe(i1.data);
  });
});
