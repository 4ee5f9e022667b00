import { describe, expect, it } from 'vitest';
import { ellipsePoint } from '../../src/analysis/ellipse.js';
import { edgeCutScore, fitResidualScore, maskPlausibilityScore, modelConfidenceScore, overallQuality } from '../../src/analysis/quality.js';

const e = { cx: 100, cy: 100, a: 50, b: 40, angle: 0 };

describe('quality components', () => {
  it('fit residual: exact points score 1, points 5% off score 0', () => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < 60; k++) {
      const [x, y] = ellipsePoint(e, (k / 60) * 2 * Math.PI);
      xs.push(x);
      ys.push(y);
    }
    expect(fitResidualScore(e, xs, ys, xs.length).score).toBeCloseTo(1, 6);
    const far = xs.map((x) => 100 + (x - 100) * 1.06);
    const farY = ys.map((y) => 100 + (y - 100) * 1.06);
    expect(fitResidualScore(e, far, farY, far.length).score).toBe(0);
  });
  it('edge cut: inside scores 1; half outside scores 0', () => {
    expect(edgeCutScore(e, { x: 0, y: 0, width: 300, height: 300 }).score).toBe(1);
    const half = edgeCutScore(e, { x: 100, y: 0, width: 200, height: 300 });
    expect(half.outsideFraction).toBeGreaterThan(0.45);
    expect(half.score).toBe(0);
  });
  it('model confidence: sure and whole → high, fragmented → low', () => {
    expect(modelConfidenceScore(0.98, 1000, 1000)).toBeCloseTo(0.96, 6);
    expect(modelConfidenceScore(0.98, 300, 1000)).toBeCloseTo(0.288, 6);
    expect(modelConfidenceScore(0.5, 1000, 1000)).toBe(0);
  });
  it('mask plausibility: elliptical → 1, ragged or needle-thin → 0', () => {
    expect(maskPlausibilityScore(0.97, 0.8)).toBe(1);
    expect(maskPlausibilityScore(0.7, 0.8)).toBe(0);
    expect(maskPlausibilityScore(0.97, 0.3)).toBe(0);
  });
  it('overall quality is the geometric mean', () => {
    expect(overallQuality({ fitResidual: 1, edgeCut: 1, modelConfidence: 1, maskPlausibility: 1 })).toBe(1);
    expect(overallQuality({ fitResidual: 1, edgeCut: 0, modelConfidence: 1, maskPlausibility: 1 })).toBe(0);
    expect(overallQuality({ fitResidual: 0.5, edgeCut: 1, modelConfidence: 1, maskPlausibility: 1 })).toBeCloseTo(0.5 ** 0.25, 9);
  });
});
