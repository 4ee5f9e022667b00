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

/** Where one run's time between asking and reading its answer went, besides the run itself (ms). */
export interface RunTrace {
  /** asked → the run ahead of it on this worker ended (0 when the worker was idle) */
  aheadMs: number;
  /** then → the worker thread began it (its wake-up and message delivery) */
  toWorkerMs: number;
  /** the worker's own work around the run: input copied in, outputs copied out */
  workerMs: number;
  /** the worker answered → this thread read the answer (the JS thread busy with other work meanwhile) */
  backMs: number;
  /** when the worker ended the run before this one (wall clock, ms since the epoch; 0: none) */
  previousEndedAt: number;
  /** the worker idle between that run's end and this run's start (ms) */
  idleMs: number;
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
  /** Per slot, like runMs: where the last run's hand-offs went, for engines that hand off (WorkerEngine). */
  readonly runTrace?: [RunTrace, RunTrace];
  run(slot: 0 | 1): Promise<Record<string, EngineOutput>>;
  release(): Promise<void>;
}
