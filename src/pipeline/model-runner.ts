import type { Frame } from '../capture/frame.js';
import type { FrameInfo, OutputTensor, TaskAnalyzer, TaskResult } from '../analysis/task.js';
import { createTaskAnalyzer } from '../analysis/tasks.js';
import { colourFraction, regionSignal } from '../analysis/signal.js';
import { type InputMapping, Preprocessor, modelToFrame } from '../inference/preprocess.js';
import type { EngineOutput, InferenceEngine, RunTrace } from '../inference/engine.js';

export type Slot = 0 | 1;
export type RawOutputs = Record<string, EngineOutput>;

/** What a task's analysis reads besides the frame (the fetal-head task: the exam's dating GA). Opaque here. */
export type TaskContext = Parameters<TaskAnalyzer['analyze']>[3];
/** Gives a model the context of the exam in progress; registered per task by the composition root. */
export type TaskContextProvider = () => TaskContext;

/** One run's outputs and how long the run alone took where it ran (ms), without queueing or hand-offs. */
export interface RunOutcome {
  outputs: RawOutputs;
  inferenceMs: number;
  /** Where the hand-off went, where the engine tells (a worker thread's): see RunTrace. */
  trace?: RunTrace | undefined;
}

/**
 * One model in the pipeline, in three steps the pipeline can overlap across frames:
 *   prepare(frame, slot)  copy and resize the frame into input buffer `slot` (synchronously, while the
 *                         frame's pixels are guaranteed),
 *   run(slot)             onnxruntime inference on that buffer (on a worker thread in the daemon),
 *   analyze(raw, slot)    outputs → clinical result, with the geometry recorded at prepare time.
 */
export class ModelRunner {
  readonly #pre: Preprocessor;
  readonly #analyzer: TaskAnalyzer;
  readonly #mapping: Array<InputMapping | undefined> = [undefined, undefined];
  readonly #info: Array<FrameInfo | undefined> = [undefined, undefined];
  readonly #ctx: TaskContext[] = [{}, {}];

  /** `context`: read at prepare time, so a result is analysed with the context its frame was taken in. */
  constructor(
    readonly session: InferenceEngine,
    private readonly context?: TaskContextProvider,
  ) {
    const m = session.pkg.manifest;
    this.#pre = new Preprocessor(m.input);
    this.#analyzer = createTaskAnalyzer({ task: m.task, outputs: m.outputs, inputShape: m.input.shape, normalize: m.input.normalize });
  }

  get id(): string {
    return this.session.id;
  }

  /** `colourFraction`: known from the original file when the frame was already made gray (analyze). */
  prepare(frame: Frame, slot: Slot = 0, hints: { colourFraction?: number | undefined } = {}): void {
    this.#mapping[slot] = this.#pre.run(frame, this.session.inputData[slot]);
    this.#ctx[slot] = this.context?.() ?? {};
    this.#info[slot] = {
      width: frame.width,
      height: frame.height,
      region: frame.region,
      pixelSpacing: frame.pixelSpacing,
      signal: regionSignal(frame.data, frame.width, frame.channels, frame.region),
      colourFraction: hints.colourFraction ?? (frame.channels === 3 ? colourFraction(frame.data, frame.width, 3, frame.region, 4) : 0),
    };
  }

  /** Inference on buffer `slot`; the timing is the session's own, read when this run resolved. */
  async run(slot: Slot = 0): Promise<RunOutcome> {
    if (!this.#mapping[slot]) throw new Error(`Model ${this.id} ran before prepare()`);
    const outputs = await this.session.run(slot);
    const trace = this.session.runTrace?.[slot];
    return { outputs, inferenceMs: this.session.runMs[slot], trace: trace && { ...trace } };
  }

  /** `ctx` defaults to the context read when this slot was prepared. */
  analyze(raw: RawOutputs, slot: Slot, ctx: TaskContext = this.#ctx[slot]!): TaskResult {
    const mapping = this.#mapping[slot]!;
    const info = this.#info[slot]!;
    const outputs: Record<string, OutputTensor> = raw;
    const content = { x: mapping.offsetX, y: mapping.offsetY, width: Math.round(info.region.width * mapping.scaleX), height: Math.round(info.region.height * mapping.scaleY) };
    const grid = { width: mapping.modelWidth, height: mapping.modelHeight, toFrame: (x: number, y: number) => modelToFrame(mapping, x, y), content };
    return this.#analyzer.analyze(outputs, grid, info, ctx);
  }

  /** prepare → run → analyze on slot 0, for offline use where nothing overlaps. */
  async infer(ctx?: TaskContext): Promise<{ result: TaskResult; inferenceMs: number; analysisMs: number }> {
    const t0 = performance.now();
    const { outputs } = await this.run(0);
    const t1 = performance.now();
    const result = this.analyze(outputs, 0, ctx);
    return { result, inferenceMs: t1 - t0, analysisMs: performance.now() - t1 };
  }
}
