import { describe, expect, it } from 'vitest';
import { accuracyAndMacroF1, expectedCalibrationError, overlap, rocAuc, sensitivityAtSpecificity } from '../../eval/busi-metrics.js';

describe('breast-lesion evaluation metrics (hand-worked values)', () => {
  it('AUC: perfect, reversed, ties, and the pairs-counted value', () => {
    expect(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0);
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
    // positives 0.8, 0.4; negatives 0.6, 0.2: pairs won 0.8>0.6, 0.8>0.2, 0.4>0.2 → 3 of 4
    expect(rocAuc([0.8, 0.4, 0.6, 0.2], [true, true, false, false])).toBe(0.75);
    expect(rocAuc([0.1], [true])).toBeNaN();
  });

  it('sensitivity at ≥90% specificity picks the lowest threshold that keeps specificity', () => {
    // 10 negatives 0.0..0.9, positives 0.95, 0.85, 0.5
    const neg = Array.from({ length: 10 }, (_, i) => i / 10);
    const s = sensitivityAtSpecificity([...neg, 0.95, 0.85, 0.5], [...neg.map(() => false), true, true, true], 0.9);
    // at t = 0.85: one negative (0.9) above → spec 0.9, positives 0.95, 0.85 → sens 2/3
    expect(s.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(s.threshold).toBe(0.85);
    expect(s.specificity).toBeCloseTo(0.9, 12);
  });

  it('accuracy and macro-F1; a withheld class counts as wrong', () => {
    const r = accuracyAndMacroF1(['a', 'a', 'b', 'c'], ['a', 'b', 'b', null], ['a', 'b', 'c']);
    expect(r.accuracy).toBe(0.5);
    // a: tp1 fn1 → 2/3; b: tp1 fp1 → 2/3; c: 0
    expect(r.macroF1).toBeCloseTo((2 / 3 + 2 / 3 + 0) / 3, 12);
  });

  it('ECE: calibrated bins give 0, an overconfident model its gap', () => {
    expect(expectedCalibrationError([0.75, 0.75, 0.75, 0.75], [true, true, true, false])).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([0.95, 0.95], [true, false])).toBeCloseTo(0.45, 12);
  });

  it('Dice and IoU', () => {
    expect(overlap(Uint8Array.from([1, 1, 0, 0]), Uint8Array.from([1, 0, 1, 0]))).toEqual({ dice: 0.5, iou: 1 / 3 });
    expect(overlap(new Uint8Array(4), new Uint8Array(4))).toEqual({ dice: 1, iou: 1 });
  });
});
