import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import type { ResultEvent } from '../../src/pipeline/bus.js';
import { RecentFrames } from '../../src/server/recent-frames.js';

const frame = (seq: number, timestampMs: number): Frame => ({
  seq,
  timestampMs,
  width: 2,
  height: 2,
  channels: 1,
  data: new Uint8Array(4).fill(seq % 256),
  pixelSpacing: undefined,
  sourceId: 'probe',
  region: { x: 0, y: 0, width: 2, height: 2 },
});
const result = (f: Frame): ResultEvent => ({
  type: 'result',
  seq: f.seq,
  sourceId: f.sourceId,
  frameTimestampMs: f.timestampMs,
  modelId: 'fetal-head',
  modelVersion: '1',
  provider: 'cpu',
  timings: { queueMs: 0, preprocessMs: 0, handoffMs: 0, inferenceMs: 0, analysisMs: 0, totalMs: 0 },
  result: { task: 'fetal-head' } as never,
});

describe('results kept across a source restart (sequence numbers start again at 0)', () => {
  it('the old source’s results are dropped when the new source’s numbering starts, its higher numbers too', () => {
    const r = new RecentFrames();
    for (let seq = 0; seq <= 3000; seq++) {
      const f = frame(seq, 1000 + seq * 33);
      r.keepFrame(f);
      if (seq >= 2990) r.keepResult(result(f));
    }
    expect(r.resultsOf(2995)).toHaveLength(1);
    // the source restarted; its frames 0…20 and their results
    for (let seq = 0; seq <= 20; seq++) {
      const f = frame(seq, 500_000 + seq * 33);
      r.keepFrame(f);
      r.keepResult(result(f));
    }
    // before: pruned only below the newest number - 2000, so the old 2990…3000 stayed until the new source passed 4990
    for (const seq of [2990, 2995, 3000]) expect(r.resultsOf(seq), `old source's result of frame ${seq}`).toEqual([]);
    expect(r.resultsOf(10).map((e) => e.frameTimestampMs)).toEqual([500_000 + 10 * 33]);
    expect(r.capture()?.frame.seq).toBe(20);
  });

  it('a new source whose first kept frame has the old one’s last number is a restart too', () => {
    const r = new RecentFrames();
    const old = frame(5, 100);
    r.keepFrame(old);
    r.keepResult(result(old));
    r.keepFrame(frame(5, 9000)); // the new source got to 5 before anything was kept of it (its first frames refused)
    expect(r.resultsOf(5)).toEqual([]);
  });
});
