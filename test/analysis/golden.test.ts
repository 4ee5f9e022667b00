import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runGoldenCases } from './fixtures/golden-cases.js';

/**
 * The analysis outputs stay bit-identical to the code the golden file was written from (commit 5e630bb, before
 * the per-frame scratch buffers): fetal-head and breast-lesion results on synthetic maps over changing grid and
 * frame sizes (analyzers reused across them), and the ellipse fit, edge-cut score and lesion shape on seeded
 * point sets. toEqual compares numbers with Object.is: the last bit counts.
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
});
