/**
 * Micro bench (issue 22, "Enhancer"): the enhancer's own JS work per 640×480 frame, in ONE run, as ratios —
 *  - analysis: the model output → the 8-bit enhanced image, general bilinear path (identityPath: false,
 *    what every frame took before) against the identity path (model grid = frame grid);
 *  - preprocessing: the frame → the model input: the resampler's general kernel (wasm SIMD where live; what
 *    every frame took before) against its same-size table path, the whole Preprocessor.run (the enhancer's
 *    manifest, table path), and regionSignal.
 * Both paths are timed in alternating blocks on the same frame (the VM's speed drifts minute to minute);
 * each row is the median of the blocks' per-frame means. The images are checked equal before timing.
 * Run: npx tsx bench/enhance-frame.ts [seconds per path, default 4]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { EnhanceAnalyzer } from '../src/analysis/enhance.js';
import type { FrameGeometry, ModelGrid } from '../src/analysis/grid.js';
import { regionSignal } from '../src/analysis/signal.js';
import type { Frame } from '../src/capture/frame.js';
import { Preprocessor, modelToFrame } from '../src/inference/preprocess.js';
import { Resampler } from '../src/inference/resample.js';
import type { Manifest } from '../src/models/manifest.js';
import { packageRoot } from '../src/util/package-root.js';

const W = 640;
const H = 480;

/** Speckle-like gray frame with a dark band (deterministic). */
function frame(): Frame {
  const data = new Uint8Array(W * H);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const y = Math.floor(i / W);
    data[i] = Math.min(255, ((s >>> 16) & 127) + (y > 200 && y < 260 ? 0 : 80));
  }
  return { seq: 0, timestampMs: 0, width: W, height: H, channels: 1, data, pixelSpacing: undefined, sourceId: 'bench', region: { x: 40, y: 20, width: 560, height: 440 } };
}

/** Median over `blocks` of the mean ms per call of each function, the functions taking turns per block. */
function race(fns: Array<() => void>, seconds: number, blocks = 20): number[] {
  for (const f of fns) for (let i = 0; i < 20; i++) f(); // warm up (JIT)
  const per: number[][] = fns.map(() => []);
  const blockMs = (seconds * 1000) / blocks;
  for (let b = 0; b < blocks; b++)
    fns.forEach((f, k) => {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < blockMs) {
        f();
        n++;
        t = performance.now();
      }
      per[k]!.push((t - t0) / n);
    });
  return per.map((v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!);
}

const seconds = Number(process.argv[2] ?? 4);
const manifest = JSON.parse(readFileSync(join(packageRoot(), 'models/enhance/manifest.json'), 'utf8')) as Manifest;
const f = frame();
const pre = new Preprocessor(manifest.input);
const [, , mh, mw] = manifest.input.shape;
const input = new Float32Array(mw * mh);
const mapping = pre.run(f, input);
const grid: ModelGrid = { width: mw, height: mh, toFrame: (x, y) => modelToFrame(mapping, x, y) };
// a model output like the enhancer's: the input, smoothed a little, slightly shifted
const out = new Float32Array(input.length);
for (let i = 0; i < out.length; i++) out[i] = 0.5 * input[i]! + 0.25 * (input[i - 1] ?? input[i]!) + 0.25 * (input[i + 1] ?? input[i]!) + 0.01;
const geometry: FrameGeometry = { width: W, height: H, region: f.region, pixelSpacing: undefined, signal: regionSignal(f.data, W, 1, f.region), colourFraction: 0 };
const general = new EnhanceAnalyzer(mw, mh, manifest.input.normalize, { identityPath: false });
const identity = new EnhanceAnalyzer(mw, mh, manifest.input.normalize);
const a = general.analyze(out, grid, geometry).image!.data;
const b = identity.analyze(out, grid, geometry).image!.data;
if (!identity.identity || !a.every((v, i) => v === b[i])) throw new Error('The identity path does not match the general path on the bench frame: fix it before timing');

const rGeneral = new Resampler(W, H, mw, mh, { identityPath: false });
const rTable = new Resampler(W, H, mw, mh);
const scratch = new Float32Array(mw * mh);
const norm = manifest.input.normalize;
const [na, nb] = [norm.scale / norm.std, -norm.mean / norm.std];
rGeneral.run(f.data, W, 1, 0, 0, scratch, mw, 0, 0, na, nb);
rTable.run(f.data, W, 1, 0, 0, input, mw, 0, 0, na, nb);
if (!rTable.identity || !scratch.every((v, i) => Object.is(v, input[i]))) throw new Error('The resampler table path does not match its general kernel on the bench frame: fix it before timing');

const load = loadavg()
  .map((v) => v.toFixed(2))
  .join(' ');
const [gen, fast, rgen, rtab, prep, sig] = race(
  [
    () => general.analyze(out, grid, geometry),
    () => identity.analyze(out, grid, geometry),
    () => rGeneral.run(f.data, W, 1, 0, 0, scratch, mw, 0, 0, na, nb),
    () => rTable.run(f.data, W, 1, 0, 0, input, mw, 0, 0, na, nb),
    () => pre.run(f, input),
    () => regionSignal(f.data, W, 1, f.region),
  ],
  seconds,
);
console.log(`enhancer JS work per ${W}×${H} frame (median of 20 alternating blocks, ${seconds} s per path; load average ${load})`);
console.log(`  analysis, general bilinear path      : ${gen!.toFixed(3)} ms`);
console.log(`  analysis, identity path              : ${fast!.toFixed(3)} ms   (${(gen! / fast!).toFixed(1)}× faster, same bytes)`);
console.log(`  resample, general kernel (${rGeneral.grayKernel.padEnd(9)}) : ${rgen!.toFixed(3)} ms`);
console.log(`  resample, same-size table path       : ${rtab!.toFixed(3)} ms   (${(rgen! / rtab!).toFixed(1)}× faster, same bits)`);
console.log(`  Preprocessor.run (fill + table path) : ${prep!.toFixed(3)} ms`);
console.log(`  regionSignal                         : ${sig!.toFixed(3)} ms`);
console.log(`  enhancer JS per frame before → after : ${(gen! + rgen! + (prep! - rtab!) + sig!).toFixed(3)} → ${(fast! + prep! + sig!).toFixed(3)} ms`);
