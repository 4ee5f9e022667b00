/**
 * Writes `<model dir>/test-vectors/` for a model package: frames from the simulated probe
 * (drivers/simulated, no patient images), through the runtime's own preprocessing, rounded to 8-bit at the
 * model's input size, run through every ONNX file of the package on the CPU. The fp32 file's outputs are
 * the expected ones; the tolerance admits the int8 files (and, with margin, a GPU's fp16) and little else.
 *
 *   npx tsx scripts/model-test-vectors.ts models/fetal-head [models/enhance ...]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { SimulatedProbe } from '../drivers/simulated/probe.js';
import type { Frame } from '../src/capture/frame.js';
import { Preprocessor } from '../src/inference/preprocess.js';
import type { Manifest } from '../src/models/manifest.js';
import { readModelPackage } from '../src/models/package.js';
import { VECTORS_FILE, type Vectors, tensorFromU8 } from '../src/models/updates/test-vectors.js';

/** Three probe set-ups: default, a small tilted head, a large head at another depth; one frame each. */
const SCENES = [
  { name: 'sim-default', settings: { seed: 11 }, seq: 5 },
  { name: 'sim-small-head', settings: { seed: 23, headCircumferenceMm: 120, headAngleDeg: -30 }, seq: 17 },
  { name: 'sim-deep', settings: { seed: 37, headCircumferenceMm: 260, depthMm: 200, geometry: 'linear' as const }, seq: 9 },
];

function frameOf(settings: ConstructorParameters<typeof SimulatedProbe>[1], seq: number): Frame {
  const probe = new SimulatedProbe('vectors', settings);
  probe.prepare();
  const data = new Uint8Array(probe.s.width * probe.s.height);
  probe.render(seq, data);
  return {
    seq,
    timestampMs: 0,
    width: probe.s.width,
    height: probe.s.height,
    channels: 1,
    data,
    pixelSpacing: { x: probe.pixelSpacingMm, y: probe.pixelSpacingMm },
    sourceId: 'vectors',
    region: probe.region,
  };
}

/** The model input as 8-bit H×W×C pixels: the preprocessed tensor mapped back through the normalisation and rounded. */
function inputPixels(frame: Frame, input: Manifest['input']): Uint8Array {
  const [, c, h, w] = input.shape;
  const tensor = new Float32Array(c * h * w);
  new Preprocessor(input).run(frame, tensor);
  const out = new Uint8Array(c * h * w);
  const { scale, mean, std } = input.normalize;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) out[i * c + ch] = Math.max(0, Math.min(255, Math.round((tensor[ch * h * w + i]! * std + mean) / scale)));
  }
  return out;
}

async function runAll(dir: string, manifest: Manifest, inputs: Uint8Array[]): Promise<Map<string, Array<Record<string, Float32Array>>>> {
  const byFile = new Map<string, Array<Record<string, Float32Array>>>();
  const [, c, h, w] = manifest.input.shape;
  for (const f of manifest.files) {
    const session = await ort.InferenceSession.create(readFileSync(join(dir, f.path)), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    const runs: Array<Record<string, Float32Array>> = [];
    for (const pixels of inputs) {
      const t = new Float32Array(c * h * w);
      tensorFromU8(pixels, manifest.input, t);
      const out = await session.run({ [manifest.input.name]: new ort.Tensor('float32', t, [...manifest.input.shape]) });
      runs.push(Object.fromEntries(manifest.outputs.map((o) => [o.name, Float32Array.from(out[o.name]!.data as Float32Array)])));
    }
    await session.release();
    byFile.set(f.precision, runs);
  }
  return byFile;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

function encodeU16(data: Float32Array, min: number, max: number): Buffer {
  const buf = Buffer.alloc(data.length * 2);
  const span = max - min || 1;
  for (let i = 0; i < data.length; i++) buf.writeUInt16LE(Math.max(0, Math.min(65535, Math.round(((data[i]! - min) / span) * 65535))), i * 2);
  return buf;
}

async function main(): Promise<void> {
  for (const arg of process.argv.slice(2)) {
    const dir = resolve(arg);
    const { manifest } = readModelPackage(dir);
    // Large inputs (the enhancer's 640×480) take two scenes, so the repository does not carry megabytes of vectors.
    const scenes = manifest.input.shape[2] * manifest.input.shape[3] > 100_000 ? SCENES.slice(0, 2) : SCENES;
    const inputs = scenes.map((s) => inputPixels(frameOf(s.settings, s.seq), manifest.input));
    const byFile = await runAll(dir, manifest, inputs);
    const reference = byFile.get('fp32')!;
    const out = join(dir, 'test-vectors');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    const vectors: Vectors['vectors'] = [];
    for (const [i, scene] of scenes.entries()) {
      writeFileSync(join(out, `${scene.name}.input.u8.gz`), gzipSync(inputs[i]!, { level: 9 }));
      const outputs: Vectors['vectors'][number]['outputs'] = {};
      for (const o of manifest.outputs) {
        const ref = reference[i]![o.name]!;
        let min = Infinity;
        let max = -Infinity;
        for (const v of ref) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        const range = Math.max(max - min, 1e-3);
        // How far the other files stray from fp32 on this input: the tolerance is twice that, with floors.
        const diffs: number[] = [];
        let worstMean = 0;
        for (const [precision, runs] of byFile) {
          if (precision === 'fp32') continue;
          const got = runs[i]![o.name]!;
          let sum = 0;
          for (let k = 0; k < ref.length; k++) {
            const d = Math.abs(got[k]! - ref[k]!);
            diffs.push(d);
            sum += d;
          }
          worstMean = Math.max(worstMean, sum / ref.length);
        }
        const atol = Number(Math.max(2 * quantile(diffs, 0.99), 0.02 * range).toPrecision(3));
        const tolerance = { atol, maxFractionOver: 0.02, maxMeanAbs: Number(Math.max(3 * worstMean, 0.005 * range).toPrecision(3)) };
        const file = `test-vectors/${scene.name}.${o.name}.u16.gz`;
        writeFileSync(join(dir, file), gzipSync(encodeU16(ref, min, max), { level: 9 }));
        outputs[o.name] = { file, min, max, tolerance };
        process.stderr.write(
          `${manifest.id} ${scene.name} ${o.name}: range [${min.toFixed(3)}, ${max.toFixed(3)}], int8 worst mean |Δ| ${worstMean.toFixed(4)}, p99 ${quantile(diffs, 0.99).toFixed(4)} → ${JSON.stringify(tolerance)}\n`,
        );
      }
      vectors.push({ name: scene.name, input: `test-vectors/${scene.name}.input.u8.gz`, outputs });
    }
    const doc: Vectors = {
      format: 1,
      source: 'Simulated probe frames (drivers/simulated; seeds 11, 23, 37), preprocessed by the runtime and rounded to 8-bit at the model input size; no patient images',
      reference: `${manifest.files.find((f) => f.precision === 'fp32')?.path ?? 'fp32'} on onnxruntime CPU ${ort.env.versions.common}`,
      vectors,
    };
    writeFileSync(join(dir, VECTORS_FILE), JSON.stringify(doc, null, 2) + '\n');
  }
}

await main();
