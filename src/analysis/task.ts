import type { BreastLesionResult } from './breast-lesion.js';
import type { EnhanceResult } from './enhance.js';
import type { ClinicalContext, FetalHeadResult } from './fetal-head.js';
import type { FrameGeometry, ModelGrid } from './grid.js';

/** What an analysis sees of the frame the model ran on. */
export type FrameInfo = FrameGeometry;

/** A model output tensor as the analysis needs it: data and dims, nothing runtime-specific. */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** Every task's result, told apart by `task`; a new task adds its result type here. */
export type TaskResult = FetalHeadResult | BreastLesionResult | EnhanceResult;
export type TaskName = TaskResult['task'];

/** Turns one model's outputs into clinical results. One instance per model session (it owns buffers). */
export interface TaskAnalyzer {
  readonly task: string;
  analyze(outputs: Record<string, OutputTensor>, grid: ModelGrid, frame: FrameInfo, ctx: ClinicalContext): TaskResult;
}
