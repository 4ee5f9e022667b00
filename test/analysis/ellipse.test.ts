import { describe, expect, it } from 'vitest';
import { ellipsePerimeter, ellipsePoint, fitEllipse } from '../../src/analysis/ellipse.js';

describe('ellipsePerimeter (Ramanujan II)', () => {
  it('gives 2πr for a circle', () => {
    expect(ellipsePerimeter(10, 10)).toBeCloseTo(2 * Math.PI * 10, 10);
  });
  it('matches the complete elliptic integral for a = 2, b = 1 (9.688448220547676)', () => {
    // 4·a·E(e), e² = 0.75: 9.68844822054767619842850319639 (exact value, e.g. Wolfram|Alpha EllipticE)
    expect(ellipsePerimeter(2, 1)).toBeCloseTo(9.68844822054768, 8);
  });
});

describe('fitEllipse', () => {
  const truth = { cx: 310.5, cy: 240.25, a: 120, b: 85, angle: 0.6 };

  it('recovers an ellipse from exact points', () => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < 100; k++) {
      const [x, y] = ellipsePoint(truth, (k / 100) * 2 * Math.PI);
      xs.push(x);
      ys.push(y);
    }
    const e = fitEllipse(xs, ys)!;
    expect(e.cx).toBeCloseTo(truth.cx, 6);
    expect(e.cy).toBeCloseTo(truth.cy, 6);
    expect(e.a).toBeCloseTo(truth.a, 6);
    expect(e.b).toBeCloseTo(truth.b, 6);
    expect(e.angle).toBeCloseTo(truth.angle, 6);
  });

  it('is robust to noise and a partial arc', () => {
    let seed = 3;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < 400; k++) {
      const [x, y] = ellipsePoint(truth, (k / 400) * 1.6 * Math.PI);
      xs.push(x + rnd());
      ys.push(y + rnd());
    }
    const e = fitEllipse(xs, ys)!;
    expect(Math.abs(ellipsePerimeter(e.a, e.b) / ellipsePerimeter(truth.a, truth.b) - 1)).toBeLessThan(0.005);
  });

  it('refuses degenerate input', () => {
    expect(fitEllipse([1, 2, 3], [1, 2, 3])).toBeUndefined();
    expect(fitEllipse([0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6])).toBeUndefined();
  });
});
