/**
 * The shipped fetal-head model on every held-out HC18 image (the 117 images of the 96 validation subjects,
 * never trained on; the shipped weights are the last epoch's, so these images chose nothing), through the
 * runtime's own analysis path, fp32 and int8. Skips with a clear message when ../shared/data/hc18 is missing.
 * The thresholds are the model card's figures (issue #22: the real-data tests keep their thresholds at the
 * figures claimed), with a small margin for onnxruntime builds that round differently:
 * card: HC mean absolute difference 1.79 mm, Dice 0.978; int8 vs fp32 within 0.3 mm on ≥ 99% of images.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/app/analyze/analyze-files.js';
import { predMaskPath } from '../../src/app/analyze/mask-writer.js';
import { openModelSession, type ModelSession } from '../../src/inference/session.js';
import { findModelPackage } from '../../src/models/package.js';
import { packageRoot } from '../../src/util/package-root.js';
import { dice, filledAnnotation, isValidationSubject, readHc18Csv } from '../../eval/hc18.js';
import { SHARED_DATA } from '../helpers/tmp.js';

const dir = join(SHARED_DATA, 'hc18');
const present = existsSync(join(dir, 'training_set_pixel_size_and_HC.csv'));
if (!present) console.warn(`HC18 data not found at ${dir}: skipping real-data tests of the fetal-head model`);

const PRECISIONS = ['fp32', 'int8'] as const;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.skipIf(!present)('fetal-head model on every held-out HC18 image', () => {
  const rows = present ? readHc18Csv(join(dir, 'training_set_pixel_size_and_HC.csv')).filter((r) => isValidationSubject(r.filename)) : [];
  const sessions: ModelSession[] = [];
  const hc: Record<string, number[]> = { fp32: [], int8: [] };
  const dices: number[] = [];
  const masks = mkdtempSync(join(tmpdir(), 'hc18-masks-'));
  beforeAll(async () => {
    const pkg = findModelPackage(join(packageRoot(), 'models'), 'fetal-head');
    const files = rows.map((r) => join(dir, 'training_set', r.filename));
    const sizes = new Map(rows.map((r) => [r.filename, r.pixelMm]));
    for (const precision of PRECISIONS) {
      const s = await openModelSession(pkg, { providers: ['cpu'], precision, intraOpThreads: 2, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 0 });
      sessions.push(s);
      const maskDir = precision === 'int8' ? masks : undefined;
      for await (const line of analyzeFiles(s, files, { pixelSizes: sizes, maskDir })) hc[precision]!.push((line.hc_mm as number | undefined) ?? 0);
    }
    // Dice of the int8 ellipse (the runtime's default precision) against the sonographer's filled outline
    for (const file of files) {
      const truth = await filledAnnotation(file.replace(/\.png$/, '_Annotation.png'));
      const pred = await sharp(predMaskPath(masks, file)).greyscale().raw().toBuffer();
      dices.push(dice(new Uint8Array(pred).map((v) => (v > 127 ? 1 : 0)), truth.mask));
    }
  }, 300_000);
  afterAll(async () => {
    rmSync(masks, { recursive: true, force: true });
    await Promise.all(sessions.map((s) => s.release()));
  });

  it('reads all 117 held-out images and measures a head on each', () => {
    expect(rows.length).toBe(117);
    for (const p of PRECISIONS) expect(hc[p]!.filter((v) => v > 0)).toHaveLength(rows.length);
  });

  it.each(PRECISIONS)('%s: HC mean absolute difference from the sonographers ≤ 1.85 mm (card: 1.79)', (p) => {
    const mae = mean(hc[p]!.map((v, i) => Math.abs(v - rows[i]!.hcMm)));
    console.log(`fetal-head ${p}: HC MAE ${mae.toFixed(3)} mm on ${rows.length} held-out images`);
    expect(mae).toBeLessThanOrEqual(1.85);
  });

  it('int8: mean Dice of the fitted ellipse ≥ 0.975 (card: 0.978)', () => {
    console.log(`fetal-head int8: Dice ${mean(dices).toFixed(4)}`);
    expect(mean(dices)).toBeGreaterThanOrEqual(0.975);
  });

  it('int8 agrees with fp32: within 0.3 mm of HC on ≥ 99% of images, 0.1 mm on average, none beyond 0.5 mm', () => {
    const d = hc.fp32!.map((v, i) => Math.abs(v - hc.int8![i]!));
    const worst = d.indexOf(Math.max(...d));
    console.log(`fetal-head int8 vs fp32: mean |ΔHC| ${mean(d).toFixed(3)} mm, max ${d[worst]!.toFixed(3)} mm (${rows[worst]!.filename}, HC ${rows[worst]!.hcMm.toFixed(1)} mm)`);
    // measured: 116 of 117 within 0.3 mm, the last 0.31 mm (a 0.1% difference on a large head)
    expect(d.filter((x) => x <= 0.3).length / d.length).toBeGreaterThanOrEqual(0.99);
    expect(mean(d)).toBeLessThanOrEqual(0.1);
    expect(Math.max(...d)).toBeLessThanOrEqual(0.5);
  });
});
