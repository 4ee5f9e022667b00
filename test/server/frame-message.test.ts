import { describe, expect, it } from 'vitest';
import { FrameEncoder, decodeFrameHeader } from '../../src/server/frame-message.js';

describe('binary frame message', () => {
  it('round-trips header fields and pixels, reusing its buffers', () => {
    const enc = new FrameEncoder(2);
    const data = new Uint8Array(12).map((_, i) => i * 20);
    const f = { seq: 77, timestampMs: 1234.5, width: 4, height: 3, channels: 1 as const, data, pixelSpacing: { x: 0.25, y: 0.5 }, sourceId: 's', region: { x: 1, y: 0, width: 3, height: 3 } };
    const a = enc.encode(f);
    const h = decodeFrameHeader(a);
    expect(h).toMatchObject({ seq: 77, width: 4, height: 3, channels: 1, timestampMs: 1234.5, pixelSpacing: { x: 0.25, y: 0.5 }, region: f.region });
    expect([...a.subarray(h.pixelOffset)]).toEqual([...data]);
    enc.encode(f);
    expect(enc.encode({ ...f, seq: 78 })).toBe(a); // ring of 2: third encode reuses the first buffer
    enc.retain(a); // a socket is still sending it
    enc.encode(f);
    const c = enc.encode({ ...f, seq: 80 });
    expect(c).not.toBe(a); // never overwritten while in flight
    expect(decodeFrameHeader(a).seq).toBe(78);
    enc.release(a);
    expect(() => decodeFrameHeader(new Uint8Array(10))).toThrow(/Not a sonoedge frame/);
  });
});
