/**
 * The page names a frame by exam, sequence AND capture time (web-ui/src/live/saved-frames.ts): sequences restart
 * at 0 with the source, so frame 12 after a restart is another image. Its Confirm key, its clip key and its
 * saved mark must differ from the first frame 12's (with `exam + seq` only, the new frame showed "saved" with
 * Confirm off, and its save was answered with the old capture).
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { captureKey, clipKey, isFrameSaved, savedFrameKey } from '../../web-ui/src/live/saved-frames.js';
import { grayFrame } from '../helpers/app.js';

const message = (seq: number, timestampMs: number): ArrayBuffer => {
  const bytes = new FrameEncoder(1).encode(grayFrame(seq, 8, 8, undefined, timestampMs));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};

describe('saved-frames keys', () => {
  const before = message(12, 5000);
  const after = message(12, 90_000); // the source restarted: frame 12 again, captured later

  it('the keys of two frames with the same sequence and other capture times differ', () => {
    expect(captureKey('e1', before)).not.toBe(captureKey('e1', after));
    expect(savedFrameKey('e1', before)).not.toBe(savedFrameKey('e1', after));
    expect(clipKey('e1', before, 40)).not.toBe(clipKey('e1', after, 40));
    // one frame keeps one key (a retry sends it again)
    expect(captureKey('e1', before)).toBe(captureKey('e1', message(12, 5000)));
    expect(captureKey('e1', before)).not.toBe(captureKey('e2', before));
    expect(captureKey('e1', before).length).toBeLessThanOrEqual(128); // the routes' Idempotency-Key limit
  });

  it('a new frame 12 is not "saved" because the old frame 12 was', () => {
    const state = { exam: { id: 'e1' }, savedFrames: new Set([savedFrameKey('e1', before)]) };
    expect(isFrameSaved(state, before)).toBe(true);
    expect(isFrameSaved(state, after)).toBe(false);
  });
});
