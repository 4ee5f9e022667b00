/**
 * The shipped fetal-head model on real HC18 validation subjects (never trained on). Skips with a clear
 * message when ../shared/data/hc18 is missing. The full figures come from `npm run eval:hc18`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../src/app/analyze/analyze-files.js';
import { openModelSession, type ModelSession } from '../../src/inference/session.js';
import { findModelPackage } from '../../src/models/package.js';
import { packageRoot } from '../../src/util/package-root.js';
import { isValidationSubject, readHc18Csv } from '../../eval/hc18.js';
import { SHARED_DATA } from '../helpers/tmp.js';

const dir = join(SHARED_DATA, 'hc18');
const present = existsSync(join(dir, 'training_set_pixel_size_and_HC.csv'));
if (!present) console.warn(`HC18 data not found at ${dir}: skipping real-data tests of the fetal-head model`);

describe.skipIf(!present)('fetal-head model on real HC18 validation images', () => {
  const rows = present ? readHc18Csv(join(dir, 'training_set_pixel_size_and_HC.csv')).filter((r) => isValidationSubject(r.filename)).filter((_, i) => i % 6 === 0) : [];
  const sessions: ModelSession[] = [];
  const hc: Record<string, number[]> = { fp32: [], int8: [] };
  beforeAll(async () => {
    const pkg = findModelPackage(join(packageRoot(), 'models'), 'fetal-head');
    for (const precision of ['fp32', 'int8'] as const) {
      const s = await openModelSession(pkg, { providers: ['cpu'], precision, intraOpThreads: 2, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 0 });
      sessions.push(s);
      const sizes = new Map(rows.map((r) => [r.filename, r.pixelMm]));
      for await (const line of analyzeFiles(s, rows.map((r) => join(dir, 'training_set', r.filename)), { pixelSizes: sizes })) hc[precision]!.push((line.hc_mm as number | undefined) ?? 0);
    }
  });
  afterAll(async () => Promise.all(sessions.map((s) => s.release())));

  it(`measures HC close to the sonographers' (mean absolute difference < 3 mm)`, () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    const errs = hc.fp32!.map((v, i) => Math.abs(v - rows[i]!.hcMm));
    expect(errs.reduce((a, b) => a + b, 0) / errs.length).toBeLessThan(3);
  });

  it('int8 agrees with fp32 within 0.5 mm on average', () => {
    const d = hc.fp32!.map((v, i) => Math.abs(v - hc.int8![i]!));
    expect(d.reduce((a, b) => a + b, 0) / d.length).toBeLessThan(0.5);
  });
});
