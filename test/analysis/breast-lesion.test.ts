import { describe, expect, it } from 'vitest';
import { BreastLesionAnalyzer } from '../../src/analysis/breast-lesion.js';
import { createTaskAnalyzer } from '../../src/analysis/tasks.js';
import { softEllipse } from '../helpers/soft-ellipse.js';

const W = 128;
const H = 128;
const SCALE = 3; // one model pixel = 3 frame pixels
const grid = { width: W, height: H, toFrame: (x: number, y: number): [number, number] => [(x + 0.5) * SCALE - 0.5, (y + 0.5) * SCALE - 0.5] };
const frame = { width: W * SCALE, height: H * SCALE, region: { x: 0, y: 0, width: W * SCALE, height: H * SCALE }, pixelSpacing: undefined, signal: { mean: 60, std: 30 } };
const probs = (n: number, b: number, m: number): Float32Array => Float32Array.from([n, b, m]);
const codes = (r: { flags: Array<{ code: string }> }): string[] => r.flags.map((f) => f.code);

describe('BreastLesionAnalyzer', () => {
  const analyzer = new BreastLesionAnalyzer(W, H);
  // a 40×20 (model px) ellipse rotated 20°, wider than tall
  const oval = softEllipse(W, H, { cx: 64, cy: 60, a: 20, b: 10, angle: (20 * Math.PI) / 180 });

  it('a benign-looking oval: class, measurements in pixels (said so), parallel, circumscribed, no alert', () => {
    const r = analyzer.analyze(oval, probs(0.05, 0.85, 0.1), grid, frame);
    expect(r).toMatchObject({ task: 'breast-lesion', class: 'benign', lesionPresent: true, malignancyProbability: expect.closeTo(0.1, 6) as number });
    expect(r.confidence).toBeCloseTo(0.85, 6);
    const l = r.lesion!;
    expect(l.units).toBe('px');
    expect(l.maxDiameter / (40 * SCALE)).toBeCloseTo(1, 1);
    expect(l.perpendicularDiameter / (20 * SCALE)).toBeCloseTo(1, 1);
    expect(l.orientation.assessment).toBe('parallel');
    expect(l.margin.assessment).toBe('circumscribed');
    expect(l.outline.length).toBeGreaterThan(100);
    expect(codes(r)).toEqual(['no-pixel-spacing']);
    expect(r.summary).toMatch(/wider than tall, circumscribed/);
    expect(r.summary).toMatch(/not a diagnosis: unverified until a clinician confirms or corrects the outline/);
  });

  it('measures in mm with a pixel spacing', () => {
    const r = analyzer.analyze(oval, probs(0.05, 0.85, 0.1), grid, { ...frame, pixelSpacing: { x: 0.1, y: 0.1 } });
    expect(r.lesion!.units).toBe('mm');
    expect(r.lesion!.maxDiameter).toBeCloseTo(40 * SCALE * 0.1, 0);
    expect(codes(r)).not.toContain('no-pixel-spacing');
  });

  it('a taller-than-wide lesion with a high malignancy probability: suspicious features, biopsy referral in plain words', () => {
    const tall = softEllipse(W, H, { cx: 64, cy: 64, a: 20, b: 12, angle: (75 * Math.PI) / 180 });
    const r = analyzer.analyze(tall, probs(0.02, 0.18, 0.8), grid, frame);
    expect(r.class).toBe('malignant');
    const alert = r.flags.find((f) => f.code === 'suspicious-features')!;
    expect(alert.severity).toBe('alert');
    expect(alert.message).toBe('Suspicious features: taller-than-wide, AI malignancy probability 80% — consider biopsy referral.');
  });

  it('a spiculated (star) lesion: irregular margin is a suspicious feature even with a low AI probability', () => {
    const star = new Float32Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const a = Math.atan2(y - 64, x - 64);
      if (Math.hypot(x - 64, y - 64) <= 14 + 16 * ((Math.cos(8 * a) + 1) / 2) * (Math.abs(Math.cos(a)) * 0.3 + 0.7)) star[y * W + x] = 1;
    }
    const r = analyzer.analyze(star, probs(0.1, 0.7, 0.2), grid, frame);
    expect(r.lesion!.margin.assessment).toBe('irregular');
    expect(r.flags.find((f) => f.code === 'suspicious-features')!.message).toMatch(/^Suspicious features: irregular margin — consider biopsy referral\.$/);
  });

  it('an outline the classifier calls normal: its shape raises no biopsy alert, the disagreement is flagged, the summary says its real orientation', () => {
    const tall = softEllipse(W, H, { cx: 64, cy: 64, a: 20, b: 12, angle: (75 * Math.PI) / 180 });
    const r = analyzer.analyze(tall, probs(0.7, 0.2, 0.1), grid, frame);
    expect(r.class).toBe('normal');
    expect(r.lesion!.orientation.tallerThanWide).toBe(true);
    expect(codes(r)).toContain('class-mask-disagree');
    expect(codes(r)).not.toContain('suspicious-features');
    expect(r.summary).toMatch(/taller than wide/);
    // the same outline read as a lesion by the classifier does raise it
    expect(codes(analyzer.analyze(tall, probs(0.1, 0.7, 0.2), grid, frame))).toContain('suspicious-features');
  });

  it('outlines the region the model is most sure of, not the largest, and says others were seen', () => {
    // a large faint shadow (0.6) beside a small, sharply outlined cyst (soft edge, ~1 inside)
    const map = new Float32Array(W * H).fill(0.02);
    for (let y = 70; y < 110; y++) for (let x = 20; x < 100; x++) map[y * W + x] = 0.6;
    const cyst = softEllipse(W, H, { cx: 64, cy: 30, a: 8, b: 6, angle: 0 });
    for (let i = 0; i < map.length; i++) map[i] = Math.max(map[i]!, cyst[i]!);
    const r = analyzer.analyze(map, probs(0.1, 0.8, 0.1), grid, frame);
    expect(r.lesion!.maxDiameter / (16 * SCALE)).toBeCloseTo(1, 1); // the cyst, not the 80-px shadow
    expect(r.flags.find((f) => f.code === 'other-regions')?.message).toBe('1 other possible lesion region was found with less confidence and not measured: look at the whole image.');
    // alone, the cyst raises no such flag
    expect(codes(analyzer.analyze(cyst, probs(0.1, 0.8, 0.1), grid, frame))).not.toContain('other-regions');
  });

  it('of two confident lesions keeps the surer one whole and flags one that touches the image edge', () => {
    const two = softEllipse(W, H, { cx: 12, cy: 64, a: 14, b: 9, angle: 0 });
    const small = softEllipse(W, H, { cx: 90, cy: 40, a: 5, b: 4, angle: 0 });
    for (let i = 0; i < two.length; i++) two[i] = Math.max(two[i]!, small[i]!);
    const r = analyzer.analyze(two, probs(0.1, 0.8, 0.1), grid, frame);
    expect(r.lesion!.maxDiameter / (28 * SCALE)).toBeGreaterThan(0.85); // the big one, cut at x = 0
    expect(codes(r)).toContain('lesion-cut');
    expect(r.maskConfidence).toBeLessThan(0.95); // part of the positive area lies in the other blob
    expect(codes(r)).not.toContain('unsure-outline');
  });

  it('a faint, fragmented map gives an outline flagged as unsure', () => {
    // a faint spiky shape (peaks at 0.65) among other blobs
    const faint = new Float32Array(W * H).fill(0.45);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const a = Math.atan2(y - 70, x - 64);
      if (Math.hypot(x - 64, y - 70) <= 12 + 14 * ((Math.cos(7 * a) + 1) / 2) * (Math.abs(Math.cos(a)) * 0.3 + 0.7)) faint[y * W + x] = 0.65;
    }
    for (let k = 0; k < 6; k++) for (let y = 10; y < 20; y++) for (let x = 10 + 18 * k; x < 22 + 18 * k; x++) faint[y * W + x] = 0.6; // other blobs
    const r = analyzer.analyze(faint, probs(0.1, 0.8, 0.1), grid, frame);
    expect(r.lesionPresent).toBe(true);
    expect(r.maskConfidence).toBeLessThan(0.5);
    expect(codes(r)).toContain('unsure-outline');
    expect(r.lesion!.margin.assessment).toBe('irregular');
    // its margin is not read as a suspicious feature
    expect(codes(r)).not.toContain('suspicious-features');
    expect(r.summary).toMatch(/margin not judged \(outline uncertain\)/);
  });

  it('no lesion: lesion_present false, classifier agreement checked both ways', () => {
    const empty = new Float32Array(W * H).fill(0.02);
    const normal = analyzer.analyze(empty, probs(0.9, 0.07, 0.03), grid, frame);
    expect(normal).toMatchObject({ class: 'normal', lesionPresent: false });
    expect(normal.lesion).toBeUndefined();
    expect(codes(normal)).toEqual(['no-lesion']);
    const disagree = analyzer.analyze(empty, probs(0.1, 0.2, 0.7), grid, frame);
    expect(codes(disagree)).toContain('class-mask-disagree');
    expect(codes(disagree)).not.toContain('suspicious-features'); // nothing outlined, nothing measured
    const lesionButNormal = analyzer.analyze(oval, probs(0.7, 0.2, 0.1), grid, frame);
    expect(codes(lesionButNormal)).toContain('class-mask-disagree');
  });

  it('letterbox padding is never a lesion, however confident the map is there', () => {
    const padded = softEllipse(W, H, { cx: 70, cy: 64, a: 12, b: 8, angle: 0 });
    for (let y = 0; y < H; y++) for (let x = 0; x < 24; x++) padded[y * W + x] = 1; // a "lesion" in the padding
    const r = analyzer.analyze(padded, probs(0.1, 0.8, 0.1), { ...grid, content: { x: 24, y: 0, width: W - 24, height: H } }, frame);
    expect(r.lesion!.maxDiameter / (24 * SCALE)).toBeCloseTo(1, 1);
    expect(codes(r)).not.toContain('lesion-cut');
  });

  it('a speck below the minimum size is not a lesion', () => {
    const speck = softEllipse(W, H, { cx: 64, cy: 64, a: 2, b: 2, angle: 0 });
    expect(analyzer.analyze(speck, probs(0.8, 0.1, 0.1), grid, frame).lesionPresent).toBe(false);
  });

  it('an unsure classifier is flagged', () => {
    const r = analyzer.analyze(oval, probs(0.3, 0.38, 0.32), grid, frame);
    expect(r.flags.find((f) => f.code === 'low-confidence')?.message).toBe('The model is unsure (38% for benign).');
  });

  it('blank, colour Doppler and tiny frames: no confident class', () => {
    const blank = analyzer.analyze(oval, probs(0.01, 0.01, 0.98), grid, { ...frame, signal: { mean: 0, std: 0 } });
    expect(blank).toMatchObject({ class: null, confidence: 0, lesionPresent: false });
    expect(codes(blank)).toEqual(['blank-image']);
    const doppler = analyzer.analyze(oval, probs(0.01, 0.01, 0.98), grid, { ...frame, colourFraction: 0.08 });
    expect(doppler).toMatchObject({ class: null, confidence: 0 });
    expect(codes(doppler)).toContain('colour-doppler');
    expect(doppler.flags.find((f) => f.code === 'suspicious-features')?.message ?? '').not.toMatch(/probability/);
    const tiny = analyzer.analyze(oval, probs(0.1, 0.8, 0.1), grid, { ...frame, region: { x: 0, y: 0, width: 90, height: 60 } });
    expect(codes(tiny)).toContain('tiny-image');
  });

  it('refuses maps and class vectors of the wrong size, naming them', () => {
    expect(() => analyzer.analyze(new Float32Array(10), probs(1, 0, 0), grid, frame)).toThrow(/10 values, expected 128×128/);
    expect(() => analyzer.analyze(oval, Float32Array.from([1, 0]), grid, frame)).toThrow(/2 values, expected 3 \(normal, benign, malignant\)/);
  });

  it('is registered as a task reading the named outputs', () => {
    const a = createTaskAnalyzer({ task: 'breast-lesion', inputShape: [1, 1, H, W], outputs: [{ name: 'lesion_prob', shape: [1, 1, H, W] }, { name: 'class_prob', shape: [1, 3] }] });
    const r = a.analyze({ lesion_prob: { data: oval, dims: [1, 1, H, W] }, class_prob: { data: probs(0.1, 0.8, 0.1), dims: [1, 3] } }, grid, frame, {});
    expect(r.task).toBe('breast-lesion');
    expect(() => a.analyze({ lesion_prob: { data: oval, dims: [1, 1, H, W] } }, grid, frame, {})).toThrow(/Model output "class_prob" is missing/);
  });
});
