import { describe, expect, it } from 'vitest';
import { atThreshold, bootstrap, mulberry32, rocCurve, rocSvg, youdenPoint } from '../../eval/support-metrics.js';
import { rocAuc } from '../../eval/busi-metrics.js';

describe('decision-support metrics (hand-worked values)', () => {
  // bad cases score 0.9, 0.6, 0.3; good cases 0.7, 0.2, 0.1
  const scores = [0.9, 0.6, 0.3, 0.7, 0.2, 0.1];
  const bad = [true, true, true, false, false, false];

  it('ROC curve: one point per distinct score, from (0,0) to (1,1)', () => {
    const c = rocCurve(scores, bad);
    expect(c.map((p) => [p.threshold, p.tpr, p.fpr])).toEqual([
      [Infinity, 0, 0],
      [0.9, 1 / 3, 0],
      [0.7, 1 / 3, 1 / 3],
      [0.6, 2 / 3, 1 / 3],
      [0.3, 1, 1 / 3],
      [0.2, 1, 2 / 3],
      [0.1, 1, 1],
    ]);
    // the trapezoid area under these points is the rank AUC: pairs won 3 + 2 + 2 of 9
    let area = 0;
    for (let k = 1; k < c.length; k++) area += ((c[k]!.fpr - c[k - 1]!.fpr) * (c[k]!.tpr + c[k - 1]!.tpr)) / 2;
    expect(area).toBeCloseTo(rocAuc(scores, bad), 12);
    expect(area).toBeCloseTo(7 / 9, 12);
  });

  it('tied scores make one point', () => {
    expect(rocCurve([0.5, 0.5], [true, false])).toEqual([
      { threshold: Infinity, tpr: 0, fpr: 0 },
      { threshold: 0.5, tpr: 1, fpr: 1 },
    ]);
  });

  it('Youden point: the largest sensitivity + specificity − 1, and what a threshold flags', () => {
    const y = youdenPoint(scores, bad);
    expect(y.threshold).toBe(0.3);
    expect(y.j).toBeCloseTo(2 / 3, 12);
    const a = atThreshold(scores, bad, 0.3);
    expect(a.sensitivity).toBe(1);
    expect(a.specificity).toBeCloseTo(2 / 3, 12);
    expect(a.flagged).toBeCloseTo(4 / 6, 12);
    expect(atThreshold(scores, bad, 0.95)).toEqual({ sensitivity: 0, specificity: 1, flagged: 0 });
  });

  it('bootstrap: a constant statistic has a zero-width interval; clusters are drawn whole', () => {
    const same = bootstrap([1, 1, 1, 1], (s) => s.reduce((a, b) => a + b, 0) / s.length, { rounds: 200 });
    expect(same).toEqual({ value: 1, lo: 1, hi: 1, n: 4 });
    // two clusters of sizes 1 and 3: every resample has 2, 4 or 6 cases, never an odd count
    const sizes = new Set<number>();
    bootstrap(
      ['a', 'b', 'b', 'b'],
      (s) => {
        sizes.add(s.length);
        return s.length;
      },
      { cluster: (c) => c, rounds: 300 },
    );
    sizes.delete(4); // the point estimate on the cases themselves
    expect([...sizes].every((n) => n === 2 || n === 4 || n === 6)).toBe(true);
    expect(sizes.has(2) && sizes.has(6)).toBe(true);
  });

  it('bootstrap interval of a mean brackets it and is reproducible from its seed', () => {
    const xs = Array.from({ length: 60 }, (_, i) => i % 10);
    const m = (s: number[]): number => s.reduce((a, b) => a + b, 0) / s.length;
    const a = bootstrap(xs, m, { seed: 5 });
    expect(a.value).toBe(4.5);
    expect(a.lo).toBeLessThan(4.5);
    expect(a.hi).toBeGreaterThan(4.5);
    expect(bootstrap(xs, m, { seed: 5 })).toEqual(a);
  });

  it('the PRNG is uniform enough to bootstrap with', () => {
    const r = mulberry32(1);
    const xs = Array.from({ length: 10000 }, () => r());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 1);
  });

  it('the SVG draws the curve and marks the chosen point', () => {
    const c = rocCurve(scores, bad);
    const svg = rocSvg(c, youdenPoint(scores, bad), 'a < b', 'n 6');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt; b');
    expect((svg.match(/[ML]\d/g) ?? []).length).toBe(c.length);
    expect(svg).toContain('<circle');
  });
});
