import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { captureLive, startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { tempDir } from '../helpers/tmp.js';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { ellipsePerimeter } from '../../src/analysis/ellipse.js';

describe('daemon on the simulated probe (real sessions, real WebSocket)', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir());
  });
  afterAll(async () => d?.close());

  it('reports ready with provider, models and source', async () => {
    const h = await waitForHealth(d.url, 200);
    expect(h.status).toBe('ok');
    expect(h.provider).toBe('cpu');
    expect(h.models).toEqual([expect.objectContaining({ id: 'fetal-head', provider: 'cpu' }), expect.objectContaining({ id: 'enhance', provider: 'cpu' })]);
    expect(h.source).toMatchObject({ driver: 'simulated', state: 'running', connected: true });
    expect((h.pipeline as { framesSkipped?: unknown }).framesSkipped).toEqual({ 'fetal-head': expect.any(Number), enhance: expect.any(Number) }); // per model
  });

  it('pushes binary frames and JSON results keyed by frame sequence', async () => {
    const cap = await captureLive(d.url, (c) => c.frames.length >= 20 && c.texts.filter((t) => t.type === 'result').length >= 5);
    const f = cap.frames;
    expect(f[0]!.width).toBe(640);
    expect(f[0]!.height).toBe(480);
    expect(f[0]!.bytes).toBe(40 + 640 * 480);
    for (let i = 1; i < f.length; i++) expect(f[i]!.seq).toBeGreaterThan(f[i - 1]!.seq);
    // live canvas changes frame to frame
    let diff = 0;
    for (let i = 0; i < f[0]!.pixels.length; i += 7) diff += Math.abs(f[0]!.pixels[i]! - f[1]!.pixels[i]!);
    expect(diff).toBeGreaterThan(0);
    const results = cap.texts.filter((t) => t.type === 'result');
    const r = results[0] as { seq: number; modelId: string; provider: string; result: { task: string } };
    expect(r.modelId).toBe('fetal-head');
    expect(r.provider).toBe('cpu');
    expect(r.result.task).toBe('fetal-head');
    expect(typeof r.seq).toBe('number');
  });

  it('measures the simulated heads within 3% of their ground-truth HC (end to end)', async () => {
    const probe = new SimulatedProbe('truth', {}); // same default settings as the daemon's probe
    const cap = await captureLive(d.url, (c) => c.texts.filter((t) => t.type === 'result').length >= 15);
    const results = cap.texts.filter((t) => t.type === 'result') as Array<{ seq: number; result: { hcMm?: number; ellipse?: { cx: number; cy: number } } }>;
    const errs = results.filter((r) => r.result.hcMm).map((r) => {
      const gt = probe.groundTruth(r.seq);
      const hcTrue = ellipsePerimeter(gt.ellipse.a, gt.ellipse.b) * gt.pixelSpacingMm;
      expect(Math.hypot(r.result.ellipse!.cx - gt.ellipse.cx, r.result.ellipse!.cy - gt.ellipse.cy)).toBeLessThan(10);
      return Math.abs(r.result.hcMm! / hcTrue - 1);
    });
    expect(errs.length).toBeGreaterThanOrEqual(10);
    const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
    expect(mean).toBeLessThan(0.03);
  });

  it('serves Prometheus metrics, the OpenAPI docs and the live page', async () => {
    const m = await (await fetch(d.url + '/metrics')).text();
    expect(m).toMatch(/sonoedge_execution_provider\{model="fetal-head",provider="cpu"\} 1/);
    expect(m).toMatch(/sonoedge_model_frames_skipped_total\{model="fetal-head"\} \d+/);
    expect(m).toMatch(/sonoedge_stage_seconds_bucket\{.*stage="inference"/);
    expect(m).toMatch(/sonoedge_frames_dropped_total \d+/);
    const spec = (await (await fetch(d.url + '/docs/json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain('/api/health');
    expect((await fetch(d.url + '/docs')).status).toBe(200);
  });
});

describe('auto-capture endpoint', () => {
  it('offers the best proposal of the sweep once one is good enough', async () => {
    const d = await startTestDaemon(tempDir());
    try {
      await waitForHealth(d.url, 200);
      let body: { seq?: number; quality?: number } = {};
      for (let i = 0; i < 50 && body.seq === undefined; i++) {
        const r = await fetch(d.url + '/api/live/best');
        if (r.status === 200) body = (await r.json()) as typeof body;
        else await new Promise((res) => setTimeout(res, 200));
      }
      expect(body.seq).toBeGreaterThanOrEqual(0);
      expect(body.quality).toBeGreaterThanOrEqual(0.6);
    } finally {
      await d.close();
    }
  });
});
