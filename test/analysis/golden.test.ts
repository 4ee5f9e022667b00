import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BreastLesionAnalyzer } from '../../src/analysis/breast-lesion.js';
import { FetalHeadAnalyzer } from '../../src/analysis/fetal-head.js';
import { runGoldenCases } from './fixtures/golden-cases.js';
import { HAVE_DATA, runRealCases } from './fixtures/golden-real.js';

/**
 * The analysis outputs stay bit-identical to the code the golden file was written from (commit 5e630bb, before
 * the per-frame scratch buffers): fetal-head and breast-lesion results on synthetic maps over changing grid and
 * frame sizes (analyzers reused across them), and the ellipse fit, edge-cut score and lesion shape on seeded
 * point sets; and, where ../shared/data is, real HC18 head outlines and BUSI lesion masks with their images'
 * speckle (golden-real.ts; written by make-golden-real.ts from a 5e630bb checkout). toEqual compares numbers with
 * Object.is: the last bit counts.
 */
describe('analysis golden outputs', () => {
  const golden = JSON.parse(readFileSync(new URL('./fixtures/analysis-golden.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  it('every case gives the same output, to the last bit, twice over (buffers reused between runs)', () => {
    for (let run = 0; run < 2; run++) {
      const now = runGoldenCases();
      expect(Object.keys(now)).toEqual(Object.keys(golden));
      for (const k of Object.keys(golden)) expect(now[k], k).toEqual(golden[k]);
    }
  });

  // real shapes and edges: HC18 head outlines and BUSI lesion masks with their images' speckle (golden-real.ts)
  it.skipIf(!HAVE_DATA)('real HC18 and BUSI cases give the same output, to the last bit (skipped without ../shared/data)', async () => {
    const real = JSON.parse(readFileSync(new URL('./fixtures/analysis-golden-real.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const now = await runRealCases({ FetalHeadAnalyzer, BreastLesionAnalyzer });
    expect(Object.keys(now)).toEqual(Object.keys(real));
    for (const k of Object.keys(real)) expect(now[k], k).toEqual(real[k]);
  });
  if (!HAVE_DATA) console.warn('analysis golden: ../shared/data (HC18, BUSI) is missing: the real-image cases are skipped');
});
