import { gunzipSync } from 'node:zlib';
import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ErrorCodes, SonoError, errorMessage } from '../../errors.js';
import type { Manifest } from '../manifest.js';

/**
 * Test vectors: a few model inputs with the outputs the reference run gave and how far a run on this
 * device may stray from them. Inputs are 8-bit images already at the model's input size (H×W×C, gzip),
 * turned into the tensor with the manifest's normalisation, so the check needs no resampler and is exact
 * about what the session sees. Outputs are 16-bit over a stated [min, max] (error ≤ (max−min)/131070, far
 * below any tolerance).
 */
export const VECTORS_FILE = 'test-vectors/vectors.json';

const Tolerance = T.Object(
  {
    atol: T.Number({ minimum: 0, description: 'An element is off when |got − expected| exceeds this' }),
    maxFractionOver: T.Number({ minimum: 0, maximum: 1, description: 'Share of elements allowed to be off' }),
    maxMeanAbs: T.Number({ minimum: 0, description: 'Largest mean |got − expected| over the output' }),
  },
  { additionalProperties: false },
);

export const VectorsSchema = T.Object(
  {
    format: T.Literal(1),
    source: T.String({ description: 'Where the inputs came from (never patient images without saying so)' }),
    reference: T.String({ description: 'Which file and provider produced the expected outputs' }),
    vectors: T.Array(
      T.Object(
        {
          name: T.String(),
          input: T.String({ description: 'Package path of the gzip 8-bit H×W×C input' }),
          outputs: T.Record(T.String(), T.Object({ file: T.String(), min: T.Number(), max: T.Number(), tolerance: Tolerance }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
export type Vectors = Static<typeof VectorsSchema>;

/** What the installer needs of a loaded session: ModelSession and WorkerEngine both fit. */
export interface TrialEngine {
  readonly provider: string;
  readonly file: { precision: string; path: string };
  readonly inputData: [Float32Array, Float32Array];
  run(slot: 0 | 1): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;
  release(): Promise<void>;
}

export interface VectorResult {
  vector: string;
  output: string;
  meanAbs: number;
  maxAbs: number;
  fractionOver: number;
  ok: boolean;
}

function invalid(message: string, cause?: unknown): SonoError {
  return new SonoError(ErrorCodes.MODEL_TEST_VECTORS_INVALID, `Model test vectors are unusable: ${message}; regenerate them (scripts/model-test-vectors.ts) and pack again.`, { cause });
}

function gunzipExact(files: ReadonlyMap<string, Uint8Array>, path: string, bytes: number): Buffer {
  const gz = files.get(path);
  if (!gz) throw invalid(`${path} is not in the package`);
  let raw: Buffer;
  try {
    raw = gunzipSync(gz, { maxOutputLength: bytes + 1 });
  } catch (err) {
    throw invalid(`${path} does not unpack to ${bytes} bytes (${errorMessage(err)})`, err);
  }
  if (raw.length !== bytes) throw invalid(`${path} holds ${raw.length} bytes, expected ${bytes}`);
  return raw;
}

export function parseVectors(files: ReadonlyMap<string, Uint8Array>): Vectors {
  const bytes = files.get(VECTORS_FILE);
  if (!bytes) throw invalid(`${VECTORS_FILE} is missing`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw invalid(`${VECTORS_FILE} is not JSON`, err);
  }
  if (!Value.Check(VectorsSchema, raw)) throw invalid(`${VECTORS_FILE} ${[...Value.Errors(VectorsSchema, raw)][0]?.path ?? ''} does not fit the format`);
  return raw;
}

/** Fills `out` from an 8-bit H×W×C image with the manifest's normalisation, in C×H×W order. */
export function tensorFromU8(pixels: Uint8Array, input: Manifest['input'], out: Float32Array): void {
  const [, c, h, w] = input.shape;
  const { scale, mean, std } = input.normalize;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) out[ch * h * w + i] = (pixels[i * c + ch]! * scale - mean) / std;
  }
}

/** Decodes a 16-bit output over [min, max]. */
export function decodeU16(raw: Buffer, min: number, max: number): Float32Array {
  const out = new Float32Array(raw.length / 2);
  const step = (max - min) / 65535;
  for (let i = 0; i < out.length; i++) out[i] = min + raw.readUInt16LE(i * 2) * step;
  return out;
}

/**
 * The loosest tolerance a package may declare, as a share of the output's range on that vector (max − min):
 * the packaging script writes at most 2 % of values off, and atol and mean |Δ| a few % of the range (the
 * int8 files with margin); past these a model that does not work would pass (all-NaN, constant, noise).
 */
export const TOLERANCE_BOUNDS = { maxFractionOver: 0.1, atolOfRange: 0.25, maxMeanAbsOfRange: 0.1 } as const;

function checkTolerance(v: string, output: string, spec: Vectors['vectors'][number]['outputs'][string]): void {
  const range = Math.max(spec.max - spec.min, 1e-3);
  const t = spec.tolerance;
  const b = TOLERANCE_BOUNDS;
  const loose =
    t.maxFractionOver > b.maxFractionOver ? `maxFractionOver ${t.maxFractionOver} (at most ${b.maxFractionOver}: no more than ${b.maxFractionOver * 100}% of values may stray)`
    : t.atol > b.atolOfRange * range ? `atol ${t.atol} (at most ${b.atolOfRange} of the output's range ${range.toPrecision(3)}, i.e. ${(b.atolOfRange * range).toPrecision(3)})`
    : t.maxMeanAbs > b.maxMeanAbsOfRange * range ? `maxMeanAbs ${t.maxMeanAbs} (at most ${b.maxMeanAbsOfRange} of the output's range ${range.toPrecision(3)}, i.e. ${(b.maxMeanAbsOfRange * range).toPrecision(3)})`
    : undefined;
  if (loose) throw invalid(`vector "${v}" output "${output}" declares a tolerance too loose to prove anything: ${loose}`);
}

/** Values a run may never give, whatever the tolerance: non-finite ones, and for a probability output any outside [0, 1] (give or take rounding). */
function checkValues(manifest: Manifest, v: string, out: Manifest['outputs'][number], actual: Float32Array): void {
  const probability = /probabilit/i.test(out.meaning);
  let nonFinite = 0;
  let outside = 0;
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    const x = actual[i]!;
    const bad = !Number.isFinite(x) ? (nonFinite++, true) : probability && (x < -1e-3 || x > 1 + 1e-3) ? (outside++, true) : false;
    if (bad && first < 0) first = i;
  }
  if (nonFinite + outside === 0) return;
  const what = nonFinite > 0 ? `${nonFinite} non-finite values (NaN or ±Infinity)` : `${outside} probabilities outside [0, 1]`;
  throw new SonoError(
    ErrorCodes.MODEL_TEST_VECTORS_FAILED,
    `Model ${manifest.id} ${manifest.version} gave ${what} of ${actual.length} for "${out.name}" on test vector "${v}" (first at index ${first}: ${actual[first]}); no tolerance admits that, so the package does not work here. It is not activated.`,
    { details: { vector: v, output: out.name, nonFinite, outsideProbabilityRange: outside, firstIndex: first } },
  );
}

/**
 * Runs every vector through `engine` and compares each output; throws MODEL_TEST_VECTORS_FAILED on the first
 * that strays or holds a value no tolerance admits (checkValues), MODEL_TEST_VECTORS_INVALID on a tolerance
 * looser than TOLERANCE_BOUNDS.
 */
export async function runTestVectors(files: ReadonlyMap<string, Uint8Array>, manifest: Manifest, engine: TrialEngine): Promise<VectorResult[]> {
  const vectors = parseVectors(files);
  for (const v of vectors.vectors) for (const [name, spec] of Object.entries(v.outputs)) checkTolerance(v.name, name, spec);
  const [, c, h, w] = manifest.input.shape;
  const results: VectorResult[] = [];
  for (const v of vectors.vectors) {
    tensorFromU8(gunzipExact(files, v.input, c * h * w), manifest.input, engine.inputData[0]);
    const got = await engine.run(0);
    for (const out of manifest.outputs) {
      const spec = v.outputs[out.name];
      if (!spec) throw invalid(`vector "${v.name}" has no expected "${out.name}"`);
      const n = out.shape.reduce((a, b) => a * b, 1);
      const expected = decodeU16(gunzipExact(files, spec.file, n * 2), spec.min, spec.max);
      const actual = got[out.name]?.data;
      if (!actual || actual.length !== n) {
        throw new SonoError(ErrorCodes.MODEL_TEST_VECTORS_FAILED, `Model ${manifest.id} ${manifest.version} gave ${actual ? actual.length : 'no'} values for "${out.name}" on test vector "${v.name}", expected ${n}; the package does not work here.`);
      }
      checkValues(manifest, v.name, out, actual);
      let sum = 0;
      let max = 0;
      let over = 0;
      for (let i = 0; i < n; i++) {
        const d = Math.abs(actual[i]! - expected[i]!);
        if (!(d <= spec.tolerance.atol)) over++; // NaN counts as off
        sum += Number.isFinite(d) ? d : spec.tolerance.atol * 1e6;
        if (d > max || Number.isNaN(d)) max = Number.isNaN(d) ? Infinity : d;
      }
      const r: VectorResult = { vector: v.name, output: out.name, meanAbs: sum / n, maxAbs: max, fractionOver: over / n, ok: false };
      r.ok = r.meanAbs <= spec.tolerance.maxMeanAbs && r.fractionOver <= spec.tolerance.maxFractionOver;
      results.push(r);
      if (!r.ok) {
        throw new SonoError(
          ErrorCodes.MODEL_TEST_VECTORS_FAILED,
          `Model ${manifest.id} ${manifest.version} (${engine.file.path} on ${engine.provider}) strays from test vector "${v.name}" output "${out.name}": mean |Δ| ${r.meanAbs.toFixed(4)} (allowed ${spec.tolerance.maxMeanAbs}), ${(r.fractionOver * 100).toFixed(2)}% of values off by more than ${spec.tolerance.atol} (allowed ${(spec.tolerance.maxFractionOver * 100).toFixed(2)}%). It is not activated.`,
          { details: { vector: v.name, output: out.name, meanAbs: r.meanAbs, fractionOver: r.fractionOver } },
        );
      }
    }
  }
  return results;
}
