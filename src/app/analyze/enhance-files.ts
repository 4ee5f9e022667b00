/**
 * `sonoedge analyze --model enhance --image-dir DIR IMAGE...`: each image enhanced at its own size (tiles,
 * never resampled) and written as `<DIR>/<image basename>_enh.png` (8-bit gray), one JSON line per image.
 * A blank or colour (Doppler) image is written unchanged (gray) and flagged, so every input has its output
 * and the line says why nothing was done; an unreadable, tiny or huge file gets a line with `error`.
 */
import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { type Flag, flag } from '../../analysis/flags.js';
import { ENHANCE_COLOUR_FRACTION } from '../../analysis/enhance.js';
import { BLANK_STD, regionSignal } from '../../analysis/signal.js';
import { toSnakeCase } from '../../analysis/case.js';
import type { InferenceEngine } from '../../inference/engine.js';
import { TiledImageRunner } from '../../inference/tiles.js';
import { errorMessage } from '../../errors.js';
import { readImageFrame } from './image-input.js';

/** `020_HC.png` → `<dir>/020_HC_enh.png` */
export function enhancedPath(dir: string, imageFile: string): string {
  return join(dir, `${basename(imageFile, extname(imageFile))}_enh.png`);
}

export async function* enhanceFiles(session: InferenceEngine, files: string[], options: { imageDir?: string | undefined }): AsyncGenerator<Record<string, unknown>> {
  const runner = new TiledImageRunner(session);
  if (options.imageDir) mkdirSync(options.imageDir, { recursive: true });
  for (const file of files) {
    const t0 = performance.now();
    try {
      const { frame, flags, colourFraction } = await readImageFrame(file, undefined, 0);
      const t1 = performance.now();
      const { width: w, height: h } = frame;
      const all: Flag[] = [...flags];
      const signal = regionSignal(frame.data, w, 1, frame.region);
      let out = frame.data;
      let run = { tiles: 0, inferenceMs: 0, meanShiftRemoved: 0 };
      if (signal.std < BLANK_STD) all.push(flag('blank-image', 'info', 'The image is blank (no ultrasound signal): nothing to enhance; written unchanged.'));
      else if (colourFraction > ENHANCE_COLOUR_FRACTION) all.push(flag('colour-doppler', 'info', 'Colour (Doppler) image: enhancement is for gray B-mode only; written unchanged (as gray).'));
      else {
        out = new Uint8Array(w * h);
        run = await runner.run(frame.data, w, h, out);
      }
      const enhanced = run.tiles > 0;
      let meanShift = 0;
      if (enhanced) {
        for (let i = 0; i < out.length; i++) meanShift += out[i]! - frame.data[i]!;
        meanShift /= out.length;
      }
      const t2 = performance.now();
      const output = options.imageDir ? enhancedPath(options.imageDir, file) : undefined;
      if (output)
        await sharp(Buffer.from(out.buffer, out.byteOffset, out.length), { raw: { width: w, height: h, channels: 1 } })
          .toColourspace('b-w')
          .png()
          .toFile(output);
      yield {
        file,
        task: 'enhance',
        ...(toSnakeCase({ enhanced, output: output ?? null, width: w, height: h, meanShift, modelMeanShiftRemoved: run.meanShiftRemoved, flags: all }) as Record<string, unknown>),
        model: { id: session.id, version: session.version, provider: session.provider, precision: session.file.precision },
        timings: { decode_ms: t1 - t0, tiles: run.tiles, inference_ms: run.inferenceMs, total_ms: t2 - t0 },
      };
    } catch (err) {
      yield { file, error: errorMessage(err) };
    }
  }
}
