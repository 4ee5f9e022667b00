/**
 * The AI's geometry taken into the page's coordinates (web-ui/src/exam-types/ai-geometry.ts): the analysis puts
 * integers at pixel centres (src/inference/preprocess.ts modelToFrame), the canvas at pixel corners, so every
 * position moves by +0.5 on both axes and nothing else changes (lengths, angles, numbers, the input).
 */
import { describe, expect, it } from 'vitest';
import { modelToFrame } from '../../src/inference/preprocess.js';
import type { BreastLesionResult, FetalHeadResult } from '../../src/protocol/index.js';
import { CENTRE_TO_CORNER, ellipseToCanvas, headToCanvas, lesionToCanvas, outlineToCanvas, segmentToCanvas } from '../../web-ui/src/exam-types/ai-geometry.js';

describe('AI geometry in canvas coordinates', () => {
  it('puts the centre of frame pixel (0, 0), as the analysis names it, at canvas (0.5, 0.5)', () => {
    // a 2× upscale without crop or letterbox: model pixel 0's centre is frame position −0.25 (pixel centres at integers)
    const m = { scaleX: 2, scaleY: 2, offsetX: 0, offsetY: 0, cropX: 0, cropY: 0, modelWidth: 8, modelHeight: 8 };
    const [fx, fy] = modelToFrame(m, 0.5, 0.5); // the centre of frame pixel 0 is half a model pixel further on
    expect([fx, fy]).toEqual([0, 0]);
    expect(outlineToCanvas([fx, fy])).toEqual([0.5, 0.5]);
    expect(CENTRE_TO_CORNER).toBe(0.5);
  });

  it('moves an ellipse centre by half a pixel and keeps its axes and angle', () => {
    const e = { cx: 100, cy: 80, semiMajor: 40, semiMinor: 30, angleDeg: 17 };
    expect(ellipseToCanvas(e)).toEqual({ cx: 100.5, cy: 80.5, semiMajor: 40, semiMinor: 30, angleDeg: 17 });
    expect(e.cx).toBe(100); // the input is not changed
  });

  it('moves both ends of a caliper line and every outline point', () => {
    expect(segmentToCanvas({ x1: 10, y1: 20, x2: 30.25, y2: 0 })).toEqual({ x1: 10.5, y1: 20.5, x2: 30.75, y2: 0.5 });
    const o = [1, 2, 3, 4, 5, 6];
    expect(outlineToCanvas(o)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    expect(o).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('converts a fetal-head result: ellipse and contour moved, numbers and flags the same', () => {
    const r: FetalHeadResult = {
      task: 'fetal-head',
      detected: true,
      ellipse: { cx: 100, cy: 80, semiMajor: 40, semiMinor: 30, angleDeg: 0 },
      contour: [60, 80, 100, 50, 140, 80],
      hcMm: 176.3,
      confidence: 0.9,
      quality: { score: 0.8, components: {} as FetalHeadResult['quality']['components'] },
      flags: [],
    };
    const c = headToCanvas(r);
    expect(c.ellipse).toEqual({ cx: 100.5, cy: 80.5, semiMajor: 40, semiMinor: 30, angleDeg: 0 });
    expect(c.contour).toEqual([60.5, 80.5, 100.5, 50.5, 140.5, 80.5]);
    expect({ ...c, ellipse: r.ellipse, contour: r.contour }).toEqual(r);
    expect(r.ellipse!.cx).toBe(100);
    const none = headToCanvas({ ...r, detected: false, ellipse: undefined, contour: undefined });
    expect(none.ellipse).toBeUndefined();
  });

  it('converts a breast-lesion result: outline and calipers moved, diameters and categories the same', () => {
    const long = { x1: 10, y1: 10, x2: 50, y2: 10 };
    const perp = { x1: 30, y1: 0, x2: 30, y2: 20 };
    const r = { task: 'breast-lesion', lesion: { outline: [10, 10, 30, 0, 50, 10, 30, 20], longAxis: long, perpendicularAxis: perp, maxDiameter: 40, units: 'px' } } as unknown as BreastLesionResult;
    const c = lesionToCanvas(r);
    expect(c.lesion!.outline).toEqual([10.5, 10.5, 30.5, 0.5, 50.5, 10.5, 30.5, 20.5]);
    expect(c.lesion!.longAxis).toEqual({ x1: 10.5, y1: 10.5, x2: 50.5, y2: 10.5 });
    expect(c.lesion!.perpendicularAxis).toEqual({ x1: 30.5, y1: 0.5, x2: 30.5, y2: 20.5 });
    expect(c.lesion!.maxDiameter).toBe(40);
    expect(r.lesion!.longAxis.x1).toBe(10);
    const empty = { task: 'breast-lesion', lesionPresent: false } as unknown as BreastLesionResult;
    expect(lesionToCanvas(empty)).toBe(empty);
  });
});
