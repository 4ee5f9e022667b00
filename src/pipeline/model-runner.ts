import type { Frame } from '../capture/frame.js';
import type { ClinicalContext } from '../analysis/fetal-head.js';
import type { OutputTensor, TaskAnalyzer, TaskResult } from '../analysis/task.js';
import { createTaskAnalyzer } from '../analysis/tasks.js';
import { type InputMapping, Preprocessor, modelToFrame } from '../inference/preprocess.js';
import type { ModelSession } from '../inference/session.js';

/**
 * One model in the pipeline: preprocess (synchronously, while the frame's buffer is guaranteed), run the
 * session, analyse. Named inputs: a Frame. Named outputs: the task result and stage timings.
 */
export class ModelRunner {
  readonly #pre: Preprocessor;
  readonly #analyzer: TaskAnalyzer;
  #mapping: InputMapping | undefined;
  #frameInfo: { width: number; height: number; region: Frame['region']; pixelSpacing: Frame['pixelSpacing'] } | undefined;

  constructor(readonly session: ModelSession) {
    const m = session.pkg.manifest;
    this.#pre = new Preprocessor(m.input);
    this.#analyzer = createTaskAnalyzer({ task: m.task, outputs: m.outputs, inputShape: m.input.shape });
  }

  get id(): string {
    return this.session.id;
  }

  /** Copies what the model needs out of the frame into the session's input buffer. */
  prepare(frame: Frame): void {
    this.#mapping = this.#pre.run(frame, this.session.inputData);
    this.#frameInfo = { width: frame.width, height: frame.height, region: frame.region, pixelSpacing: frame.pixelSpacing };
  }

  /** Runs the prepared input; returns the analysed result and the inference/analysis times. */
  async infer(ctx: ClinicalContext): Promise<{ result: TaskResult; inferenceMs: number; analysisMs: number }> {
    const mapping = this.#mapping;
    const info = this.#frameInfo;
    if (!mapping || !info) throw new Error(`Model ${this.id} ran before prepare()`);
    const t0 = performance.now();
    const raw = await this.session.run();
    const t1 = performance.now();
    const outputs: Record<string, OutputTensor> = {};
    for (const [name, v] of Object.entries(raw)) outputs[name] = { data: v.data as Float32Array, dims: v.dims };
    const grid = { width: mapping.modelWidth, height: mapping.modelHeight, toFrame: (x: number, y: number) => modelToFrame(mapping, x, y) };
    const result = this.#analyzer.analyze(outputs, grid, info, ctx);
    return { result, inferenceMs: t1 - t0, analysisMs: performance.now() - t1 };
  }
}
