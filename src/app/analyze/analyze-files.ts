import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { PixelSpacing } from '../../capture/frame.js';
import { toSnakeCase } from '../../analysis/case.js';
import type { InferenceEngine } from '../../inference/engine.js';
import { ModelRunner } from '../../pipeline/model-runner.js';
import { SonoError, errorMessage } from '../../errors.js';
import { isDicomFile, readDicomFrames } from './dicom-input.js';
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
 * JSON-ready object per file: the task's results at the top level, or `error` (and its `code` when coded)
 * for an unreadable file.
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
      // a DICOM file (by content, not name): every frame of a cine, its pixel size from the file
      const inputs = isDicomFile(file) ? await readDicomFrames(file, spacing, seq) : [{ ...(await readImageFrame(file, spacing, seq)), index: 0, frames: 1 }];
      seq += inputs.length;
      let t1 = performance.now();
      for (const { frame, flags, colourFraction, index, frames } of inputs) {
        runner.prepare(frame, 0, { colourFraction });
        const t2 = performance.now();
        const r = await runner.infer({ datingGaWeeks: options.datingGaWeeks });
        const { task, ...result } = r.result;
        result.flags.unshift(...flags);
        if (options.maskDir) {
          const path = predMaskPath(options.maskDir, frames > 1 ? join(dirname(file), `${basename(file, extname(file))}_${index}${extname(file)}`) : file);
          if (r.result.task === 'fetal-head') await writeEllipseMask(path, frame.width, frame.height, r.result.ellipse);
          else if (r.result.task === 'breast-lesion') await writeOutlineMask(path, frame.width, frame.height, r.result.lesion?.outline);
        }
        yield {
          file,
          ...(frames > 1 ? { frame: index } : {}),
          task,
          ...(toSnakeCase(result) as Record<string, unknown>),
          model: { id: session.id, version: session.version, provider: session.provider, precision: session.file.precision },
          timings: { decode_ms: t1 - t0, preprocess_ms: t2 - t1, inference_ms: r.inferenceMs, analysis_ms: r.analysisMs },
        };
        t1 = performance.now();
      }
    } catch (err) {
      yield { file, error: errorMessage(err), ...(err instanceof SonoError ? { code: err.code } : {}) };
    }
  }
}
