import type { Frame } from '../capture/frame.js';
import type { FrameInfo, OutputTensor, TaskAnalyzer, TaskResult } from '../analysis/task.js';
import { createTaskAnalyzer } from '../analysis/tasks.js';
import { colourFraction, regionSignal } from '../analysis/signal.js';
import { type InputMapping, Preprocessor, modelToFrameInto } from '../inference/preprocess.js';
import type { EngineOutput, InferenceEngine, RunTrace } from '../inference/engine.js';

export type Slot = 0 | 1;
export type RawOutputs = Record<string, EngineOutput>;
/** The model grid an analyzer reads (analysis/grid.ts, reached through the task contract). */
type ModelGrid = Parameters<TaskAnalyzer['analyze']>[1];

/** What a task's analysis reads besides the frame (the fetal-head task: the exam's dating GA). Opaque here. */
export type TaskContext = Parameters<TaskAnalyzer['analyze']>[3];
/** Gives a model the context of the exam in progress; registered per task by the composition root. */
export type TaskContextProvider = () => TaskContext;

/** One run's outputs and how long the run alone took where it ran (ms), without queueing or hand-offs. */
export interface RunOutcome {
  outputs: RawOutputs;
  inferenceMs: number;
  /**
   * Where the hand-off went, where the engine tells (a worker thread's): see RunTrace. The engine's own object
   * for this slot, not a copy per run: valid until the next run on the slot lands (the lane reads it when it
   * completes the run, before it launches another on that slot; the `stages` event copies the figures).
   */
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
  /** Per slot, the grid handed to the analyzer: remade only when the slot's mapping or region size changes. */
  readonly #grids: Array<{ mapping: InputMapping; width: number; height: number; grid: ModelGrid } | undefined> = [undefined, undefined];

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
    return { outputs, inferenceMs: this.session.runMs[slot], trace: this.session.runTrace?.[slot] };
  }

  /** `ctx` defaults to the context read when this slot was prepared. */
  analyze(raw: RawOutputs, slot: Slot, ctx: TaskContext = this.#ctx[slot]!): TaskResult {
    const info = this.#info[slot]!;
    const outputs: Record<string, OutputTensor> = raw;
    return this.#analyzer.analyze(outputs, this.#grid(slot, info.region), info, ctx);
  }

  /**
   * The model grid of `slot`'s frame, kept while the geometry stays (the same mapping and region size). Its
   * toFrame writes one tuple of its own: read it before the next call.
   */
  #grid(slot: Slot, region: { width: number; height: number }): ModelGrid {
    const mapping = this.#mapping[slot]!;
    const kept = this.#grids[slot];
    if (kept && kept.width === region.width && kept.height === region.height && sameMapping(kept.mapping, mapping)) return kept.grid;
    const m = mapping;
    const xy: [number, number] = [0, 0];
    const grid: ModelGrid = {
      width: m.modelWidth,
      height: m.modelHeight,
      toFrame: (x, y) => modelToFrameInto(m, x, y, xy),
      content: { x: m.offsetX, y: m.offsetY, width: Math.round(region.width * m.scaleX), height: Math.round(region.height * m.scaleY) },
    };
    this.#grids[slot] = { mapping, width: region.width, height: region.height, grid };
    return grid;
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

function sameMapping(a: InputMapping, b: InputMapping): boolean {
  if (a === b) return true;
  return (
    a.scaleX === b.scaleX &&
    a.scaleY === b.scaleY &&
    a.offsetX === b.offsetX &&
    a.offsetY === b.offsetY &&
    a.cropX === b.cropX &&
    a.cropY === b.cropY &&
    a.modelWidth === b.modelWidth &&
    a.modelHeight === b.modelHeight
  );
}
