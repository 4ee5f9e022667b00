/**
 * The page's cine and live overlay name a frame by its number AND capture time (web-ui/src/live/cine.ts): numbers
 * restart at 0 with every source, so a result of the old source's frame 7 must never be kept on, or drawn over,
 * the new source's frame 7 (nor drawn "previous frame" over a new source's frame a few numbers on).
 * Pure: real frame messages (encodeFrameMessage), the Cine the page uses and the overlay rule its render uses.
 */
import { describe, expect, it } from 'vitest';
import { type ResultMessage, decodeFrameHeader, encodeFrameMessage } from '../../src/protocol/index.js';
import { Cine, overlayOf } from '../../web-ui/src/live/cine.js';

const message = (seq: number, timestampMs: number): ArrayBuffer => {
  const m = encodeFrameMessage({ seq, timestampMs, channels: 1, width: 4, height: 2, pixelSpacing: undefined, region: { x: 0, y: 0, width: 4, height: 2 } }, new Uint8Array(8));
  return m.buffer.slice(m.byteOffset, m.byteOffset + m.byteLength) as ArrayBuffer;
};
const head = (seq: number, frameTimestampMs: number): ResultMessage =>
  ({
    type: 'result',
    seq,
    sourceId: 'main',
    frameTimestampMs,
    modelId: 'fetal-head',
    modelVersion: '1',
    provider: 'cpu',
    timings: {},
    result: { task: 'fetal-head', detected: true, flags: [], quality: { score: 0.9 } },
  }) as unknown as ResultMessage;

/** Source A's frames 0…9 (at 1000 ms on), then source B's 0…9 (at 5000 ms on), as the page receives them. */
function switched(): Cine {
  const cine = new Cine(30);
  for (let s = 0; s < 10; s++) cine.push(s, message(s, 1000 + s * 33));
  for (let s = 0; s < 10; s++) cine.push(s, message(s, 5000 + s * 33));
  return cine;
}

describe('the cine across a source switch', () => {
  it("keeps a late result of the old source's frame 7 off the new source's frame 7", () => {
    const cine = switched();
    cine.attach(head(7, 1000 + 7 * 33)); // A's frame 7, landing after B's frames came
    expect(cine.at(17)!.seq).toBe(7);
    expect(cine.at(17)!.results['fetal-head'], "the old source's result is on the new frame 7").toBeUndefined();
    expect(cine.at(7)!.results['fetal-head']?.frameTimestampMs).toBe(1000 + 7 * 33); // on A's own frame 7, still kept
    cine.attach(head(7, 5000 + 7 * 33));
    expect(cine.at(17)!.results['fetal-head']?.frameTimestampMs).toBe(5000 + 7 * 33);
    expect(cine.since).toBe(5000);
  });

  it("the live overlay: the old source's result is drawn neither as this frame's nor as the previous frame's", () => {
    const cine = switched();
    const b7 = decodeFrameHeader(message(7, 5000 + 7 * 33));
    expect(overlayOf(head(7, 1000 + 7 * 33), b7, cine.since, 15), 'A#7 on B#7').toBe('none');
    expect(overlayOf(head(3, 1000 + 3 * 33), b7, cine.since, 15), 'A#3 on B#7 as previous frame').toBe('none');
    expect(overlayOf(head(7, 5000 + 7 * 33), b7, cine.since, 15)).toBe('fresh');
    expect(overlayOf(head(3, 5000 + 3 * 33), b7, cine.since, 15)).toBe('stale');
  });
});
