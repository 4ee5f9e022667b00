import { describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { ellipsePerimeter } from '../../src/analysis/ellipse.js';

describe('simulated probe', () => {
  const probe = new SimulatedProbe('sim', { headCircumferenceMm: 200 });
  probe.prepare();

  it('knows its ground truth: the head perimeter in pixels × spacing is the configured HC', () => {
    const gt = probe.groundTruth(0);
    expect(ellipsePerimeter(gt.ellipse.a, gt.ellipse.b) * gt.pixelSpacingMm).toBeCloseTo(200, 6);
  });

  it('draws the skull where the ground truth says: bright echoes on the outline, dark fluid outside it', () => {
    const seq = 45;
    const gt = probe.groundTruth(seq);
    const echo = probe.echogenicity(seq);
    const { cx, cy, a, b, angle } = gt.ellipse;
    const at = (t: number, k: number): number => {
      const x = cx + k * (a * Math.cos(t) * Math.cos(angle) - b * Math.sin(t) * Math.sin(angle));
      const y = cy + k * (a * Math.cos(t) * Math.sin(angle) + b * Math.sin(t) * Math.cos(angle));
      return echo[Math.round(y) * 640 + Math.round(x)]!;
    };
    let ring = 0;
    let fluid = 0;
    for (let t = 0; t < 2 * Math.PI; t += 0.2) {
      ring += at(t, 0.97);
      fluid += at(t, 1.15);
    }
    expect(ring).toBeGreaterThan(3 * fluid);
  });

  it('drifts: the head moves between frames, and frames differ', () => {
    const g0 = probe.groundTruth(0).ellipse;
    const g1 = probe.groundTruth(60).ellipse;
    expect(Math.hypot(g0.cx - g1.cx, g0.cy - g1.cy)).toBeGreaterThan(5);
    const f0 = new Uint8Array(640 * 480);
    const f1 = new Uint8Array(640 * 480);
    probe.render(0, f0);
    probe.render(1, f1);
    expect(Buffer.compare(Buffer.from(f0), Buffer.from(f1))).not.toBe(0);
  });

  it('rejects bad settings with their paths', () => {
    expect(() => new SimulatedProbe('x', { fps: 0, width: 10 } as never)).toThrow(/\/fps[\s\S]*\/width/);
  });

  it('delivers frames at its rate with strictly increasing seq and monotonic time', async () => {
    const p = new SimulatedProbe('sim', { fps: 60, width: 160, height: 120 });
    const seen: Array<[number, number]> = [];
    await new Promise<void>((resolve) => {
      void p.start((f) => {
        seen.push([f.seq, f.timestampMs]);
        if (seen.length === 10) void p.stop().then(resolve);
      });
    });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]![0]).toBe(seen[i - 1]![0] + 1);
      expect(seen[i]![1]).toBeGreaterThanOrEqual(seen[i - 1]![1]);
    }
  });
});
