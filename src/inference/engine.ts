import type { ProviderName } from '../config/schema.js';
import type { ModelFile } from '../models/manifest.js';
import type { ModelPackage } from '../models/package.js';

/** One provider tried when opening a model, with the reason it failed. */
export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  reason?: string;
}

export interface EngineOutput {
  data: Float32Array;
  dims: readonly number[];
}

/**
 * A loaded model the pipeline can run: two input buffers (prepare one while the other is inferred),
 * run(slot) → named outputs. ModelSession runs in-process (the CLI); WorkerEngine runs it on a worker
 * thread, because onnxruntime-node's run() blocks the JS thread for the whole inference.
 */
export interface InferenceEngine {
  readonly pkg: ModelPackage;
  readonly provider: ProviderName;
  readonly file: ModelFile;
  readonly attempts: ProviderAttempt[];
  readonly id: string;
  readonly version: string;
  readonly inputData: [Float32Array, Float32Array];
  /**
   * How long the last run on each slot took where it ran (ms): onnxruntime alone, without queueing behind
   * an earlier run or the hand-off between threads. Read when that slot's run has resolved.
   */
  readonly runMs: [number, number];
  run(slot: 0 | 1): Promise<Record<string, EngineOutput>>;
  release(): Promise<void>;
}
