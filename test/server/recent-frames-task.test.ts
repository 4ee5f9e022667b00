import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import type { ResultEvent } from '../../src/pipeline/bus.js';
import { RecentFrames } from '../../src/server/recent-frames.js';

const frame = (seq: number): Frame => ({ seq, timestampMs: seq, width: 2, height: 2, channels: 1, data: new Uint8Array(4).fill(seq), pixelSpacing: undefined, sourceId: 's', region: { x: 0, y: 0, width: 2, height: 2 } });
const result = (seq: number, modelId: string, task: string): ResultEvent => ({ type: 'result', seq, sourceId: 's', frameTimestampMs: seq, modelId, modelVersion: '1', provider: 'cpu', timings: { queueMs: 0, preprocessMs: 0, handoffMs: 0, inferenceMs: 0, analysisMs: 0, totalMs: 0 }, result: { task } as never });

describe('a capture for an exam type', () => {
  it("takes the newest frame that has that exam's model result, with every result of that frame", () => {
    const r = new RecentFrames(8);
    for (let s = 0; s < 6; s++) r.keepFrame(frame(s));
    r.keepResult(result(2, 'breast-lesion', 'breast-lesion')); // the lesion model runs every 3rd frame
    r.keepResult(result(2, 'fetal-head', 'fetal-head'));
    r.keepResult(result(5, 'fetal-head', 'fetal-head'));
    const breast = r.capture(undefined, 'breast-lesion')!;
    expect(breast.frame.seq).toBe(2);
    expect(breast.results.map((x) => x.modelId).sort()).toEqual(['breast-lesion', 'fetal-head']);
    expect(r.capture(undefined, 'fetal-head')!.frame.seq).toBe(5);
    expect(r.capture()!.frame.seq).toBe(5); // no task: the newest frame with any result
  });
});
