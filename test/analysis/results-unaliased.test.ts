import { describe, expect, it } from 'vitest';
import { BreastLesionAnalyzer } from '../../src/analysis/breast-lesion.js';
import { fitEllipse } from '../../src/analysis/ellipse.js';
import { FetalHeadAnalyzer } from '../../src/analysis/fetal-head.js';
import type { FrameGeometry, ModelGrid } from '../../src/analysis/grid.js';
import { measureLesionShape } from '../../src/analysis/lesion-shape.js';
import { blobMap } from './fixtures/golden-cases.js';

/**
 * The analyzers reuse scratch buffers frame after frame; what they publish must not be among them. A result
 * kept by the bus, the records or the page (the ellipse, the contour the overlay draws, the lesion outline and
 * its axes) stays exactly as it was when later frames are analysed, and a holder that edits its own copy
 * changes no later result.
 */
const grid = (w: number, h: number, scale: number): ModelGrid => ({ width: w, height: h, toFrame: (x, y) => [(x + 0.5) * scale - 0.5, (y + 0.5) * scale - 0.5] });
const frame = (w: number, h: number): FrameGeometry => ({ width: w, height: h, region: { x: 0, y: 0, width: w, height: h }, pixelSpacing: { x: 0.15, y: 0.15 }, signal: { mean: 60, std: 25 } });

describe('published analysis results are their own values', () => {
  it('fetal head: a result stays intact and different from the next frames', () => {
    const a = new FetalHeadAnalyzer(160, 112);
    const first = a.analyze(blobMap(160, 112, [{ cx: 80, cy: 56, a: 40, b: 30, angle: 0.3 }], 0.05, 1), grid(160, 112, 4), frame(640, 448));
    const kept = structuredClone(first);
    const second = a.analyze(blobMap(160, 112, [{ cx: 70, cy: 60, a: 50, b: 35, angle: -0.6, lobe: 0.04, k: 5 }], 0.08, 2), grid(160, 112, 4), frame(640, 448));
    const third = a.analyze(blobMap(160, 112, [{ cx: 90, cy: 50, a: 30, b: 28, angle: 1.1 }], 0.02, 3), grid(160, 112, 2.5), frame(400, 280));
    expect(first.detected && second.detected && third.detected).toBe(true);
    expect(first).toEqual(kept);
    expect(second.contour).not.toEqual(first.contour);
    expect(third.contour).not.toEqual(second.contour);
    expect(second.ellipse).not.toEqual(first.ellipse);
    for (const [x, y] of [
      [first, second],
      [second, third],
      [first, third],
    ] as const) {
      expect(x.contour).not.toBe(y.contour);
      expect(x.ellipse).not.toBe(y.ellipse);
      expect(x.quality).not.toBe(y.quality);
      expect(x.flags).not.toBe(y.flags);
    }
    // a holder editing its own copy changes nothing the analyzer gives next
    const again = structuredClone(a.analyze(blobMap(160, 112, [{ cx: 80, cy: 56, a: 40, b: 30, angle: 0.3 }], 0.05, 1), grid(160, 112, 4), frame(640, 448)));
    second.contour!.fill(-1);
    second.ellipse!.cx = -1;
    expect(a.analyze(blobMap(160, 112, [{ cx: 80, cy: 56, a: 40, b: 30, angle: 0.3 }], 0.05, 1), grid(160, 112, 4), frame(640, 448))).toEqual(again);
    expect(again).toEqual(kept);
  });

  it('breast lesion: the outline, axes and probabilities of a result stay intact', () => {
    const a = new BreastLesionAnalyzer(128, 96);
    const cls = Float32Array.from([0.1, 0.7, 0.2]);
    const first = a.analyze(blobMap(128, 96, [{ cx: 60, cy: 48, a: 20, b: 12, angle: 0.2, lobe: 0.1, k: 6 }], 0.05, 4), cls, grid(128, 96, 5), frame(640, 480));
    const kept = structuredClone(first);
    const second = a.analyze(blobMap(128, 96, [{ cx: 70, cy: 40, a: 14, b: 22, angle: -0.4 }], 0.08, 5), Float32Array.from([0.05, 0.25, 0.7]), grid(128, 96, 5), frame(640, 480));
    const third = a.analyze(blobMap(128, 96, [{ cx: 64, cy: 50, a: 40, b: 30, angle: 0.9, lobe: 0.2, k: 9 }], 0.1, 6), cls, grid(128, 96, 3), frame(384, 288));
    expect(first.lesion && second.lesion && third.lesion).toBeTruthy();
    expect(first).toEqual(kept);
    expect(second.lesion!.outline).not.toEqual(first.lesion!.outline);
    expect(third.lesion!.outline).not.toEqual(second.lesion!.outline);
    for (const [x, y] of [
      [first, second],
      [second, third],
    ] as const) {
      expect(x.lesion!.outline).not.toBe(y.lesion!.outline);
      expect(x.lesion!.longAxis).not.toBe(y.lesion!.longAxis);
      expect(x.lesion!.perpendicularAxis).not.toBe(y.lesion!.perpendicularAxis);
      expect(x.lesion!.margin).not.toBe(y.lesion!.margin);
      expect(x.probabilities).not.toBe(y.probabilities);
    }
    second.lesion!.outline.fill(-1);
    expect(a.analyze(blobMap(128, 96, [{ cx: 60, cy: 48, a: 20, b: 12, angle: 0.2, lobe: 0.1, k: 6 }], 0.05, 4), cls, grid(128, 96, 5), frame(640, 480))).toEqual(kept);
  });

  it('the pure fits: one call does not change what an earlier one returned', () => {
    const ring = (n: number, r: number): [Float64Array, Float64Array] => [
      Float64Array.from({ length: n }, (_, k) => 100 + r * Math.cos((2 * Math.PI * k) / n)),
      Float64Array.from({ length: n }, (_, k) => 80 + 0.6 * r * Math.sin((2 * Math.PI * k) / n)),
    ];
    const [x1, y1] = ring(50, 30);
    const [x2, y2] = ring(3000, 70);
    const e1 = fitEllipse(x1, y1)!;
    const s1 = measureLesionShape(x1, y1, x1.length, undefined)!;
    const keptE = structuredClone(e1);
    const keptS = structuredClone(s1);
    const e2 = fitEllipse(x2, y2)!;
    const s2 = measureLesionShape(x2, y2, x2.length, { x: 0.1, y: 0.1 })!;
    expect(e1).toEqual(keptE);
    expect(s1).toEqual(keptS);
    expect(e2.a).not.toEqual(e1.a);
    expect(s2.maxDiameter).not.toEqual(s1.maxDiameter);
  });
});
