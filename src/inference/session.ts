import * as ort from 'onnxruntime-node';
import type { ProviderName } from '../config/schema.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import type { ModelFile } from '../models/manifest.js';
import { type ModelPackage, readVerifiedModelFile } from '../models/package.js';
import { engineCacheDirFor } from '../models/updates/engine-cache.js';
import type { EngineOutput, InferenceEngine, ProviderAttempt } from './engine.js';

export type { ProviderAttempt } from './engine.js';
import { type ProviderSettings, applyTensorRtEnvironment, chooseModelFile, executionProvider } from './providers.js';

// We report every provider attempt ourselves; onnxruntime's own console errors would only repeat them.
ort.env.logLevel = 'fatal';

export interface SessionOptions extends ProviderSettings {
  providers: ProviderName[];
  precision: 'int8' | 'fp32';
  intraOpThreads: number;
  allowSpinning: boolean;
  warmupRuns: number;
}

/** One loaded model on the provider that actually accepted it, run in this thread (blocking it). */
export class ModelSession implements InferenceEngine {
  readonly #session: ort.InferenceSession;
  readonly #inputs: [ort.Tensor, ort.Tensor];
  readonly #inputName: string;
  /**
   * Two input buffers, so the pipeline can prepare the next frame while the previous one is still being
   * inferred. Preprocessing writes here, runs read them; nothing is allocated per frame.
   */
  readonly inputData: [Float32Array, Float32Array];
  readonly runMs: [number, number];

  constructor(
    readonly pkg: ModelPackage,
    readonly provider: ProviderName,
    readonly file: ModelFile,
    readonly attempts: ProviderAttempt[],
    session: ort.InferenceSession,
  ) {
    this.#session = session;
    const shape = pkg.manifest.input.shape;
    const n = shape[1] * shape[2] * shape[3];
    this.inputData = [new Float32Array(n), new Float32Array(n)];
    this.runMs = [0, 0];
    this.#inputs = [new ort.Tensor('float32', this.inputData[0], [...shape]), new ort.Tensor('float32', this.inputData[1], [...shape])];
    this.#inputName = pkg.manifest.input.name;
  }

  get id(): string {
    return this.pkg.manifest.id;
  }

  get version(): string {
    return this.pkg.manifest.version;
  }

  /** Runs the model on input buffer `slot` (0 or 1); a run asked for while another runs starts after it. */
  async run(slot: 0 | 1 = 0): Promise<Record<string, EngineOutput>> {
    const ahead = this.#tail;
    let done!: () => void;
    this.#tail = new Promise<void>((r) => (done = r));
    try {
      await ahead;
      const t0 = performance.now(); // from here: runMs is this run's time, not the wait behind another
      const out = await this.#session.run({ [this.#inputName]: this.#inputs[slot] });
      this.runMs[slot] = performance.now() - t0;
      const r: Record<string, EngineOutput> = {};
      for (const [k, v] of Object.entries(out)) r[k] = { data: v.data as Float32Array, dims: v.dims };
      return r;
    } finally {
      done();
    }
  }

  #tail: Promise<void> = Promise.resolve();

  async release(): Promise<void> {
    await this.#session.release();
  }
}

/**
 * Opens `pkg` on the first provider in `options.providers` that works. onnxruntime fails hard when a
 * listed provider's libraries are missing, so providers are tried one at a time here, and every attempt
 * (with its reason) is kept for logs and /api/health: a fallback is never silent.
 */
export async function openModelSession(pkg: ModelPackage, options: SessionOptions): Promise<ModelSession> {
  const attempts: ProviderAttempt[] = [];
  for (const provider of options.providers) {
    const file = chooseModelFile(pkg.manifest, provider, options.precision);
    if (!file) {
      attempts.push({ provider, ok: false, reason: `package has no file for ${provider}` });
      continue;
    }
    const bytes = readVerifiedModelFile(pkg, file); // integrity errors are not provider problems: throw
    // the engine cache is keyed by the file's SHA-256: an engine built for another model is never reused
    if (provider === 'tensorrt') applyTensorRtEnvironment({ ...options.tensorrt, engineCacheDir: options.tensorrt.engineCacheDir && engineCacheDirFor(options.tensorrt.engineCacheDir, file) });
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: [executionProvider(provider, options)],
        intraOpNumThreads: options.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        // Idle sessions must not spin on the shared cores (measured: 7.8 → 13 ms with two idle neighbours).
        extra: { session: { intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' }, inter_op: { allow_spinning: '0' } } },
      });
    } catch (err) {
      const reason = errorMessage(err).split('\n')[0] ?? 'unknown error';
      if (provider === 'cpu') {
        throw new SonoError(ErrorCodes.MODEL_FILE_CORRUPT, `Model file ${file.path} of "${pkg.manifest.id}" could not be loaded by onnxruntime: ${reason}`, { cause: err });
      }
      attempts.push({ provider, ok: false, reason });
      continue;
    }
    const ms = new ModelSession(pkg, provider, file, attempts, session);
    try {
      for (let i = 0; i < options.warmupRuns; i++) await ms.run();
    } catch (err) {
      // a provider can create a session and still fail on the first run (GPU memory, missing kernels)
      await session.release().catch(() => {});
      const reason = `warm-up run failed: ${errorMessage(err).split('\n')[0]}`;
      if (provider === 'cpu') throw new SonoError(ErrorCodes.MODEL_FILE_CORRUPT, `Model "${pkg.manifest.id}" failed its first run on the CPU: ${reason}`, { cause: err });
      attempts.push({ provider, ok: false, reason });
      continue;
    }
    attempts.push({ provider, ok: true });
    return ms;
  }
  throw new SonoError(ErrorCodes.PROVIDER_NONE_AVAILABLE, `No execution provider could run "${pkg.manifest.id}": ${attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ')}`);
}
