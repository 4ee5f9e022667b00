import { describe, expect, it } from 'vitest';
import { FetalHeadAnalyzer } from '../../src/analysis/fetal-head.js';
import { ellipsePerimeter } from '../../src/analysis/ellipse.js';
import { hadlockGaWeeksFromHc } from '../../src/analysis/biometry.js';
import { softEllipse } from '../helpers/soft-ellipse.js';

const W = 320;
const H = 224;
const SCALE = 2.5; // one model pixel = 2.5 frame pixels
const grid = { width: W, height: H, toFrame: (x: number, y: number): [number, number] => [(x + 0.5) * SCALE - 0.5, (y + 0.5) * SCALE - 0.5] };
const frame = { width: W * SCALE, height: H * SCALE, region: { x: 0, y: 0, width: W * SCALE, height: H * SCALE }, pixelSpacing: { x: 0.2, y: 0.2 } };

describe('FetalHeadAnalyzer', () => {
  const truth = { cx: 160, cy: 110, a: 80, b: 62, angle: 0.4 };
  const prob = softEllipse(W, H, truth);
  const analyzer = new FetalHeadAnalyzer(W, H);

  it('measures HC, BPD and OFD of a clean head within 0.3%', () => {
    const r = analyzer.analyze(prob, grid, frame);
    const hcTrue = ellipsePerimeter(truth.a, truth.b) * SCALE * 0.2;
    expect(r.detected).toBe(true);
    expect(Math.abs(r.hcMm! / hcTrue - 1)).toBeLessThan(0.003);
    expect(r.ofdMm!).toBeCloseTo(2 * truth.a * SCALE * 0.2, 0);
    expect(r.bpdMm!).toBeCloseTo(2 * truth.b * SCALE * 0.2, 0);
    expect(r.gaWeeks).toBeCloseTo(hadlockGaWeeksFromHc(r.hcMm!), 9);
    expect(r.flags.map((f) => f.code)).toEqual([]);
    expect(r.quality.score).toBeGreaterThan(0.8);
  });

  it('gives the centile with a dating GA and flags a small head', () => {
    const r = analyzer.analyze(prob, grid, frame, { datingGaWeeks: 27 });
    expect(r.centile?.available).toBe(true);
    expect(r.flags.map((f) => f.code)).toContain('hc-below-p3');
  });

  it('refuses an extrapolated centile outside 14–40 weeks', () => {
    const r = analyzer.analyze(prob, grid, frame, { datingGaWeeks: 12 });
    expect(r.centile).toMatchObject({ available: false });
    expect(r.flags.map((f) => f.code)).toContain('no-centile');
  });

  it('keeps sizes in pixels and says so without pixel spacing', () => {
    const r = analyzer.analyze(prob, grid, { ...frame, pixelSpacing: undefined });
    expect(r.hcMm).toBeUndefined();
    expect(r.gaWeeks).toBeUndefined();
    expect(r.hcPx).toBeGreaterThan(0);
    expect(r.flags.map((f) => f.code)).toContain('no-pixel-spacing');
  });

  it('fits anisotropic pixels in millimetres', () => {
    const r = analyzer.analyze(prob, grid, { ...frame, pixelSpacing: { x: 0.2, y: 0.3 } });
    expect(r.hcMm!).toBeGreaterThan(ellipsePerimeter(truth.a, truth.b) * SCALE * 0.2);
  });

  it('flags a head cut by the imaging region edge, keeping its numbers', () => {
    const cut = { ...frame, region: { x: 0, y: 0, width: frame.width, height: 250 } };
    const r = analyzer.analyze(prob, grid, cut);
    expect(r.flags.map((f) => f.code)).toContain('head-cut');
    expect(r.hcMm).toBeGreaterThan(0);
  });

  it('reports no head on a blank map, and fragmented noise is low confidence', () => {
    const blank = analyzer.analyze(new Float32Array(W * H), grid, frame);
    expect(blank.detected).toBe(false);
    expect(blank.flags[0]!.code).toBe('no-head');
    const noisy = new Float32Array(W * H);
    let s = 9;
    for (let i = 0; i < noisy.length; i++) noisy[i] = ((s = (s * 16807) % 2147483647) / 2147483647) > 0.7 ? 0.55 : 0;
    const r = analyzer.analyze(noisy, grid, frame);
    expect(r.detected && r.flags.some((f) => f.code === 'low-confidence')).toBe(r.detected);
    expect(r.quality.score).toBeLessThan(0.5);
  });

  it('answers a blank frame without trusting the model', () => {
    const r = analyzer.analyze(prob, grid, { ...frame, signal: { mean: 0, std: 0.5 } });
    expect(r.detected).toBe(false);
    expect(r.hcMm).toBeUndefined();
    expect(r.flags.map((f) => f.code)).toEqual(['blank-image']);
  });

  it('rejects a map of the wrong size', () => {
    expect(() => analyzer.analyze(new Float32Array(10), grid, frame)).toThrow(/expected 320×224/);
  });
});
