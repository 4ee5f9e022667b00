import { ErrorCodes, SonoError } from '../errors.js';
import { FetalHeadAnalyzer } from './fetal-head.js';
import type { TaskAnalyzer } from './task.js';

export interface TaskSpec {
  task: string;
  outputs: Array<{ name: string; shape: number[] }>;
  inputShape: readonly number[];
}

type Factory = (spec: TaskSpec) => TaskAnalyzer;

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
