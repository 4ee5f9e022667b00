import { ErrorCodes, SonoError } from '../errors.js';
import { BreastLesionAnalyzer } from './breast-lesion.js';
import { EnhanceAnalyzer } from './enhance.js';
import { FetalHeadAnalyzer } from './fetal-head.js';
import type { OutputTensor, TaskAnalyzer } from './task.js';

export interface TaskSpec {
  task: string;
  outputs: Array<{ name: string; shape: number[] }>;
  inputShape: readonly number[];
  /** the input's normalisation (an image-to-image model's output is turned back into gray levels with it) */
  normalize?: { scale: number; mean: number; std: number } | undefined;
}

type Factory = (spec: TaskSpec) => TaskAnalyzer;

/** The named output's tensor; a missing one is a clear error naming it. */
function output(outputs: Record<string, OutputTensor>, name: string): OutputTensor {
  const t = outputs[name];
  if (!t) throw new Error(`Model output "${name}" is missing`);
  return t;
}

const FACTORIES: Record<string, Factory> = {
  'fetal-head': (spec) => {
    const out = spec.outputs[0]!;
    const [h, w] = [spec.inputShape[2]!, spec.inputShape[3]!];
    const analyzer = new FetalHeadAnalyzer(w, h);
    return {
      task: 'fetal-head',
      analyze(outputs, grid, frame, ctx) {
        const t = outputs[out.name];
        if (!t) throw new Error(`Model output "${out.name}" is missing`);
        return analyzer.analyze(t.data, grid, frame, ctx);
      },
    };
  },
  // outputs in order: lesion_prob [1,1,H,W] (sigmoid in-graph), class_prob [1,3] (calibrated softmax)
  'breast-lesion': (spec) => {
    const [mask, cls] = spec.outputs;
    if (!mask || !cls)
      throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `A breast-lesion model needs two outputs (lesion probability map, class probabilities); its manifest lists ${spec.outputs.length}`);
    const analyzer = new BreastLesionAnalyzer(spec.inputShape[3]!, spec.inputShape[2]!);
    return {
      task: 'breast-lesion',
      analyze: (outputs, grid, frame) => analyzer.analyze(output(outputs, mask.name).data, output(outputs, cls.name).data, grid, frame),
    };
  },
  // output: the enhanced image on the input grid [1,1,H,W], normalised like the input (display only)
  enhance: (spec) => {
    const out = spec.outputs[0]!;
    const analyzer = new EnhanceAnalyzer(spec.inputShape[3]!, spec.inputShape[2]!, spec.normalize ?? { scale: 1 / 255, mean: 0, std: 1 });
    return {
      task: 'enhance',
      analyze: (outputs, grid, frame) => analyzer.analyze(output(outputs, out.name).data, grid, frame),
    };
  },
};

export function supportedTasks(): string[] {
  return Object.keys(FACTORIES).sort();
}

/** The analyzer for a manifest's task; an unknown task fails with the list of supported ones. */
export function createTaskAnalyzer(spec: TaskSpec): TaskAnalyzer {
  const f = FACTORIES[spec.task];
  if (!f) throw new SonoError(ErrorCodes.TASK_UNKNOWN, `Model task "${spec.task}" is not supported by this runtime; supported: ${supportedTasks().join(', ')}`);
  return f(spec);
}
