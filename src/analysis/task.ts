import type { ImagingRegion, PixelSpacing } from '../capture/frame.js';
import type { ClinicalContext, FetalHeadResult, ModelGrid } from './fetal-head.js';

/** What an analysis sees of the frame the model ran on. */
export interface FrameInfo {
  width: number;
  height: number;
  region: ImagingRegion;
  pixelSpacing: PixelSpacing | undefined;
  /** Gray-level spread in the imaging region; a blank frame is answered without trusting the model. */
  signal?: { mean: number; std: number } | undefined;
}

/** A model output tensor as the analysis needs it: data and dims, nothing runtime-specific. */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

export type TaskResult = FetalHeadResult;

/** Turns one model's outputs into clinical results. One instance per model session (it owns buffers). */
export interface TaskAnalyzer {
  readonly task: string;
  analyze(outputs: Record<string, OutputTensor>, grid: ModelGrid, frame: FrameInfo, ctx: ClinicalContext): TaskResult;
}
