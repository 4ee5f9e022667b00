import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import type { PixelSpacing } from '../../capture/frame.js';
import { toSnakeCase } from '../../analysis/case.js';
import type { InferenceEngine } from '../../inference/engine.js';
import { ModelRunner } from '../../pipeline/model-runner.js';
import { errorMessage } from '../../errors.js';
import { readImageFrame } from './image-input.js';
import { predMaskPath, writeEllipseMask, writeOutlineMask } from './mask-writer.js';

export interface AnalyzeOptions {
  pixelSize?: number | undefined;
  pixelSizes?: Map<string, number> | undefined;
  maskDir?: string | undefined;
  datingGaWeeks?: number | undefined;
}

/**
 * Runs one model over image files, every file in order (no frame dropping), and yields one snake_case
 * JSON-ready object per file: the task's results at the top level, or `error` for an unreadable file.
 */
export async function* analyzeFiles(session: InferenceEngine, files: string[], options: AnalyzeOptions): AsyncGenerator<Record<string, unknown>> {
  const runner = new ModelRunner(session);
  if (options.maskDir) mkdirSync(options.maskDir, { recursive: true });
  let seq = 0;
  for (const file of files) {
    const t0 = performance.now();
    try {
      const mm = options.pixelSizes?.get(basename(file)) ?? options.pixelSize;
      const spacing: PixelSpacing | undefined = mm ? { x: mm, y: mm } : undefined;
      const { frame, flags, colourFraction } = await readImageFrame(file, spacing, seq++);
      const t1 = performance.now();
      runner.prepare(frame, 0, { colourFraction });
      const t2 = performance.now();
      const r = await runner.infer({ datingGaWeeks: options.datingGaWeeks });
      const { task, ...result } = r.result;
      result.flags.unshift(...flags);
      if (options.maskDir) {
        const path = predMaskPath(options.maskDir, file);
        if (r.result.task === 'fetal-head') await writeEllipseMask(path, frame.width, frame.height, r.result.ellipse);
        else if (r.result.task === 'breast-lesion') await writeOutlineMask(path, frame.width, frame.height, r.result.lesion?.outline);
      }
      yield {
        file,
        task,
        ...(toSnakeCase(result) as Record<string, unknown>),
        model: { id: session.id, version: session.version, provider: session.provider, precision: session.file.precision },
        timings: { decode_ms: t1 - t0, preprocess_ms: t2 - t1, inference_ms: r.inferenceMs, analysis_ms: r.analysisMs },
      };
    } catch (err) {
      yield { file, error: errorMessage(err) };
    }
  }
}
