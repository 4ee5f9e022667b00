/**
 * GET /api/live/best proposes a frame of the current source only: a switch (PUT /api/source, a restart after a
 * fault) forgets the old source's proposal at once, whatever the new source's frame numbers.
 * buildApp + inject, the real pipeline switching between two real simulated probes through its SourceHolder.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { buildTestApp, fetalHeadResult, grayFrame } from '../helpers/app.js';

describe('the best-frame proposal after a source switch', async () => {
  const t = await buildTestApp();
  const best = async (): Promise<{ status: number; seq?: number; hc?: number }> => {
    const r = await t.app.inject({ method: 'GET', url: '/api/live/best' });
    const b = r.json<{ seq?: number; event?: { result: { hcMm: number } } }>();
    return { status: r.statusCode, seq: b.seq, hc: b.event?.result.hcMm };
  };
  const propose = (seq: number, score: number, hcMm: number): void => {
    const e = fetalHeadResult(grayFrame(seq, 64, 48, undefined, performance.now()));
    if (e.result.task !== 'fetal-head') throw new Error('fetal-head result expected');
    e.result.quality.score = score;
    e.result.hcMm = hcMm;
    t.runtime.bus.publish('result', e);
  };

  it('is forgotten at the switch and replaced by the new source’s own, even a poorer one numbered above it', async () => {
    const a = new SimulatedProbe('probe', { headCircumferenceMm: 175, fps: 5 });
    const b = new SimulatedProbe('probe', { headCircumferenceMm: 330, fps: 5 });
    await t.runtime.pipeline.start(a);
    propose(50, 0.95, 175);
    expect(await best()).toEqual({ status: 200, seq: 50, hc: 175 });
    await t.runtime.pipeline.switchSource(b);
    expect((await best()).status, 'the old source’s proposal is still offered after the switch').toBe(404);
    // the new source's frame 60: within the old proposal's 90-frame window and numbered above it
    propose(60, 0.7, 330);
    expect(await best()).toEqual({ status: 200, seq: 60, hc: 330 });
  });
});
