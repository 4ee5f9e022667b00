/**
 * The shipped breast-lesion model on every BUSI validation image (models/breast-lesion/validation.txt: one
 * image per de-duplicated group, 104), through the runtime's own analysis path, fp32 and int8. Skips with a
 * clear message when ../shared/data/busi is missing. The thresholds are the model card's runtime figures
 * (issue #22: the real-data tests keep their thresholds at the figures claimed), with a small margin for
 * onnxruntime builds that round differently. Card (1.2.0, `npm run eval:busi`): malignant AUC 0.940 / 0.938,
 * lesion Dice 0.755, a lesion outlined on 62.5% of normal images, "consider biopsy" on 74.3% of malignant
 * images; int8 and fp32 state the same class on 100%.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/app/analyze/analyze-files.js';
import { predMaskPath } from '../../src/app/analyze/mask-writer.js';
import { openModelSession, type ModelSession } from '../../src/inference/session.js';
import { findModelPackage } from '../../src/models/package.js';
import { packageRoot } from '../../src/util/package-root.js';
import { overlap, rocAuc } from '../../eval/busi-metrics.js';
import { SHARED_DATA } from '../helpers/tmp.js';

const dir = join(SHARED_DATA, 'busi');
const present = existsSync(join(dir, 'benign'));
if (!present) console.warn(`BUSI data not found at ${dir}: skipping real-data tests of the breast-lesion model`);

const PRECISIONS = ['fp32', 'int8'] as const;
type Line = { class?: string | null; probabilities?: Record<string, number>; lesion_present?: boolean; flags?: Array<{ code: string }> };
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const rate = (xs: boolean[]): number => xs.filter(Boolean).length / xs.length;

describe.skipIf(!present)('breast-lesion model on every BUSI validation image', () => {
  const split = readFileSync(join(packageRoot(), 'models', 'breast-lesion', 'validation.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const classes = split.map((l) => l.split('/')[0]!);
  const files = split.map((l) => join(dir, l));
  const out: Record<string, Line[]> = { fp32: [], int8: [] };
  const dices: number[] = [];
  const sessions: ModelSession[] = [];
  const masks = mkdtempSync(join(tmpdir(), 'busi-masks-'));
  beforeAll(async () => {
    const pkg = findModelPackage(join(packageRoot(), 'models'), 'breast-lesion');
    for (const precision of PRECISIONS) {
      const s = await openModelSession(pkg, { providers: ['cpu'], precision, intraOpThreads: 2, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 0 });
      sessions.push(s);
      for await (const line of analyzeFiles(s, files, { maskDir: precision === 'int8' ? masks : undefined })) out[precision]!.push(line as Line);
    }
    // Dice of the int8 outline (the runtime's default precision) against the radiologists' mask, lesion images
    for (const [i, file] of files.entries()) {
      if (classes[i] === 'normal') continue;
      const truth = await sharp(file.replace(/\.png$/, '_mask.png')).greyscale().raw().toBuffer();
      const pred = await sharp(predMaskPath(masks, file)).greyscale().raw().toBuffer();
      dices.push(overlap(new Uint8Array(pred), new Uint8Array(truth).map((v) => (v > 127 ? 1 : 0))).dice);
    }
  }, 300_000);
  afterAll(async () => {
    rmSync(masks, { recursive: true, force: true });
    await Promise.all(sessions.map((s) => s.release()));
  });

  const of = (p: string, cls: string): Line[] => out[p]!.filter((_, i) => classes[i] === cls);

  it('answers all 104 validation images with a class', () => {
    expect(files).toHaveLength(104);
    for (const p of PRECISIONS) expect(out[p]!.filter((l) => l.class)).toHaveLength(104);
  });

  it.each(PRECISIONS)('%s: malignant-vs-rest AUC ≥ 0.93 (card: 0.940 fp32, 0.938 int8)', (p) => {
    const auc = rocAuc(
      out[p]!.map((l) => l.probabilities?.malignant ?? 0),
      classes.map((c) => c === 'malignant'),
    );
    console.log(`breast-lesion ${p}: malignant AUC ${auc.toFixed(3)}`);
    expect(auc).toBeGreaterThanOrEqual(0.93);
  });

  it('int8: lesion Dice ≥ 0.75 on images with a lesion (card: 0.755)', () => {
    console.log(`breast-lesion int8: Dice ${mean(dices).toFixed(3)} on ${dices.length} lesions`);
    expect(mean(dices)).toBeGreaterThanOrEqual(0.75);
  });

  it('int8: outlines a lesion on no more normal images than the card says (62.5%), alerts on ≥ 74% of malignant', () => {
    const falseLesion = rate(of('int8', 'normal').map((l) => l.lesion_present === true));
    const alert = rate(of('int8', 'malignant').map((l) => l.flags?.some((f) => f.code === 'suspicious-features') === true));
    console.log(`breast-lesion int8: lesion on ${(falseLesion * 100).toFixed(1)}% of normals, biopsy alert on ${(alert * 100).toFixed(1)}% of malignant`);
    expect(falseLesion).toBeLessThanOrEqual(0.625);
    expect(alert).toBeGreaterThanOrEqual(0.74);
  });

  it('int8 states the same class as fp32 on ≥ 99% of images', () => {
    const same = rate(out.fp32!.map((l, i) => l.class === out.int8![i]!.class));
    console.log(`breast-lesion int8 vs fp32: same class on ${(same * 100).toFixed(1)}%`);
    expect(same).toBeGreaterThanOrEqual(0.99);
  });
});
