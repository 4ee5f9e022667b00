import { describe, expect, it } from 'vitest';
import { intergrowthHcAtCentile } from '../../src/analysis/biometry.js';
import { BestFrameSelector } from '../../src/analysis/best-frame.js';
import { assessGrowth } from '../../src/analysis/growth.js';

describe('growth over time (INTERGROWTH-21st z-scores)', () => {
  it('a fetus growing along the 50th centile has z ≈ 0, the expected velocity, and no flags', () => {
    const visits = [
      { date: '2026-03-02', gaWeeks: 20, hcMm: intergrowthHcAtCentile(20, 50) },
      { date: '2026-04-13', gaWeeks: 26, hcMm: intergrowthHcAtCentile(26, 50) },
      { date: '2026-05-25', gaWeeks: 32, hcMm: intergrowthHcAtCentile(32, 50) },
    ];
    const g = assessGrowth(visits);
    for (const p of g.points) expect(p.z).toBeCloseTo(0, 6);
    expect(g.intervals[0]!.days).toBe(42);
    expect(g.intervals[0]!.velocityMmPerWeek).toBeCloseTo(g.intervals[0]!.expectedMmPerWeek, 6);
    expect(g.flags).toEqual([]);
  });

  it('flags a fall of more than one z-score and a crossing below the 10th centile', () => {
    const g = assessGrowth([
      { date: '2026-05-25', gaWeeks: 32, hcMm: intergrowthHcAtCentile(32, 5) },
      { date: '2026-03-02', gaWeeks: 20, hcMm: intergrowthHcAtCentile(20, 50) }, // out of order on purpose
    ]);
    expect(g.points.map((p) => p.date)).toEqual(['2026-03-02', '2026-05-25']);
    expect(g.intervals[0]!.zChange).toBeCloseTo(-1.645, 3);
    expect(g.flags.map((f) => f.code).sort()).toEqual(['hc-centile-falling', 'hc-crossed-below-p10']);
  });

  it('gives no z outside 14–40 weeks, and no velocity without elapsed gestation', () => {
    const g = assessGrowth([{ date: '2026-01-05', gaWeeks: 12, hcMm: 70 }, { date: '2026-01-05', gaWeeks: 12, hcMm: 71 }]);
    expect(g.points[0]!.z).toBeUndefined();
    expect(g.intervals).toEqual([]);
  });
});

describe('auto-capture best frame', () => {
  it('offers the highest-quality unflagged proposal of the sweep, and forgets stale ones', () => {
    const s = new BestFrameSelector<string>(0.6, 30);
    s.offer({ seq: 1, quality: 0.7, flagged: false, value: 'a' });
    s.offer({ seq: 2, quality: 0.95, flagged: true, value: 'cut' });
    s.offer({ seq: 3, quality: 0.9, flagged: false, value: 'b' });
    s.offer({ seq: 4, quality: 0.5, flagged: false, value: 'poor' });
    expect(s.best()?.value).toBe('b');
    s.offer({ seq: 40, quality: 0.65, flagged: false, value: 'later' });
    expect(s.best()?.value).toBe('later');
  });
});
