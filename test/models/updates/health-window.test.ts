import { describe, expect, it } from 'vitest';
import { HealthWindow, type HealthState, outputsSane } from '../../../src/models/updates/health-window.js';

const CONFIG = { results: 20, maxErrorFraction: 0.1, maxLatencyMs: 100, maxSlowFraction: 0.25, maxInsaneFraction: 0.1 };
const good = { error: false, latencyMs: 20, sane: true };

function window(): { w: HealthWindow; verdicts: HealthState[] } {
  const verdicts: HealthState[] = [];
  return { w: new HealthWindow('fetal-head', '1.2.0', CONFIG, (s) => verdicts.push(s)), verdicts };
}

describe('health window after an activation', () => {
  it('passes after its count of good results, once', () => {
    const { w, verdicts } = window();
    for (let i = 0; i < 19; i++) w.record(good);
    expect(w.state).toMatchObject({ state: 'watching', seen: 19, of: 20 });
    expect(verdicts).toEqual([]);
    w.record(good);
    w.record({ error: true, latencyMs: 0, sane: false }); // after the verdict: ignored
    expect(verdicts).toEqual([expect.objectContaining({ state: 'passed', seen: 20, errors: 0 })]);
  });

  it('a model that starts failing fails as soon as its errors pass the allowed share, not at the end', () => {
    const { w, verdicts } = window();
    for (let i = 0; i < 5; i++) w.record(good);
    w.record({ error: true, latencyMs: 0, sane: false });
    w.record({ error: true, latencyMs: 0, sane: false });
    expect(verdicts).toEqual([]); // 2 of 20 allowed
    w.record({ error: true, latencyMs: 0, sane: false });
    expect(verdicts).toEqual([expect.objectContaining({ state: 'failed', seen: 8, errors: 3, reason: '3 of its first 8 results failed (allowed 2 in 20)' })]);
  });

  it('slow runs and insane outputs each fail it with their own reason', () => {
    const slow = window();
    for (let i = 0; i < 6; i++) slow.w.record({ ...good, latencyMs: 150 });
    expect(slow.verdicts[0]).toMatchObject({ state: 'failed', slow: 6, reason: expect.stringMatching(/6 of its first 6 runs took over 100 ms \(allowed 5 in 20\)/) });
    const insane = window();
    for (let i = 0; i < 3; i++) insane.w.record({ ...good, sane: false });
    expect(insane.verdicts[0]).toMatchObject({ state: 'failed', insane: 3, reason: expect.stringMatching(/non-finite or out-of-range/) });
  });

  it('output sanity: finite values, probabilities within [0, 1]', () => {
    const declared = [{ name: 'prob', meaning: 'probability of the head' }, { name: 'img', meaning: 'the enhanced image, gray/255 (not clipped)' }];
    const ok = { prob: { data: Float32Array.of(0, 0.5, 1) }, img: { data: Float32Array.of(-0.1, 1.2) } };
    expect(outputsSane(ok, declared)).toBe(true);
    expect(outputsSane({ ...ok, prob: { data: Float32Array.of(0, 1.5) } }, declared)).toBe(false);
    expect(outputsSane({ ...ok, img: { data: Float32Array.of(Number.NaN) } }, declared)).toBe(false);
    expect(outputsSane({ prob: ok.prob }, declared)).toBe(false);
  });
});
