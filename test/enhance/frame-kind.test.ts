import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { FRAME_HEADER_BYTES, FrameEncoder, FrameKind, decodeFrameHeader } from '../../src/server/frame-message.js';
import { decodeFrameHeader as decodeHeader } from '../../src/protocol/frame-header.js'; // the browser's decoder too

const frame: Frame = {
  seq: 7, timestampMs: 12.5, width: 4, height: 3, channels: 1, data: Uint8Array.from({ length: 12 }, (_, i) => i * 10),
  pixelSpacing: { x: 0.25, y: 0.25 }, sourceId: 's', region: { x: 1, y: 0, width: 3, height: 3 },
};

describe('frame message kinds (raw 40-byte header unchanged; enhanced frames 44 bytes, kind 1)', () => {
  it('raw frames keep the 40-byte header and decode as kind 0', () => {
    const buf = new FrameEncoder(2).encode(frame);
    expect(buf.length).toBe(FRAME_HEADER_BYTES + 12);
    const h = decodeFrameHeader(buf);
    expect([h.kind, h.pixelOffset, h.seq]).toEqual([0, 40, 7]);
    expect(decodeHeader(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer).kind).toBe(0);
  });

  it('an enhanced frame carries kind 1 and its pixels after 44 bytes; the web decoder reads the same', () => {
    const buf = new FrameEncoder(2).encode(frame, FrameKind.enhanced);
    expect(buf.length).toBe(44 + 12);
    const h = decodeFrameHeader(buf);
    expect(h).toMatchObject({ kind: 1, pixelOffset: 44, seq: 7, width: 4, height: 3, pixelSpacing: { x: 0.25, y: 0.25 }, region: frame.region });
    expect([...buf.subarray(h.pixelOffset)]).toEqual([...frame.data]);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer;
    expect(decodeHeader(ab)).toMatchObject({ kind: 1, pixelOffset: 44, seq: 7 });
  });
});
