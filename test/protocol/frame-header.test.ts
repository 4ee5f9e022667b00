/**
 * The one frame-header codec (src/protocol/frame-header.ts), used by the daemon and the web UI: the
 * layout the README documents, byte for byte, and every way a message is refused.
 */
import { describe, expect, it } from 'vitest';
import { SonoError } from '../../src/errors.js';
import {
  FRAME_FORMAT_VERSION, FRAME_HEADER_BYTES, FRAME_HEADER_BYTES_WITH_KIND, FRAME_MAGIC, FrameField, FrameKind, decodeFrameHeader, encodeFrameMessage,
} from '../../src/protocol/frame-header.js';
import { FrameEncoder } from '../../src/server/frame-message.js';

const header = { seq: 4_000_000_001, channels: 3, width: 5, height: 2, timestampMs: 98765.4321, pixelSpacing: { x: 0.125, y: 0.25 }, region: { x: 1, y: 2, width: 3, height: 4 } };
const pixels = Uint8Array.from({ length: 5 * 2 * 3 }, (_, i) => (i * 37) % 256);

function refusal(buf: Uint8Array | ArrayBuffer): SonoError {
  try {
    decodeFrameHeader(buf);
  } catch (err) {
    return err as SonoError;
  }
  throw new Error('the message was accepted');
}

describe('frame header codec', () => {
  it('round trip: every field, the imaging region and the pixels come back, from a Uint8Array or an ArrayBuffer', () => {
    const msg = encodeFrameMessage(header, pixels);
    expect(msg.length).toBe(FRAME_HEADER_BYTES + pixels.length);
    for (const input of [msg, msg.buffer as ArrayBuffer]) {
      const h = decodeFrameHeader(input);
      expect(h).toEqual({ ...header, pixelOffset: FRAME_HEADER_BYTES, kind: FrameKind.raw });
      expect([...msg.subarray(h.pixelOffset)]).toEqual([...pixels]);
    }
  });

  it('keeps the documented layout: magic, length, version, little-endian fields at their offsets', () => {
    const v = new DataView(encodeFrameMessage(header, pixels).buffer);
    expect(v.getUint32(0, true)).toBe(FRAME_MAGIC);
    expect(String.fromCharCode(v.getUint8(0), v.getUint8(1), v.getUint8(2), v.getUint8(3))).toBe('SONO');
    expect([v.getUint16(4, true), v.getUint8(6), v.getUint8(7)]).toEqual([40, 1, 3]);
    expect(v.getUint32(8, true)).toBe(header.seq);
    expect([v.getUint16(12, true), v.getUint16(14, true)]).toEqual([5, 2]);
    expect(v.getFloat64(16, true)).toBe(header.timestampMs);
    expect([v.getFloat32(24, true), v.getFloat32(28, true)]).toEqual([0.125, 0.25]);
    expect([32, 34, 36, 38].map((o) => v.getUint16(o, true))).toEqual([1, 2, 3, 4]);
    expect(FrameField.kind).toBe(40);
  });

  it('an enhanced frame has a 44-byte header with its kind; unknown spacing decodes as undefined', () => {
    const msg = encodeFrameMessage({ ...header, pixelSpacing: undefined }, pixels, FrameKind.enhanced);
    const h = decodeFrameHeader(msg);
    expect(h).toMatchObject({ kind: 1, pixelOffset: FRAME_HEADER_BYTES_WITH_KIND, pixelSpacing: undefined, region: header.region });
    expect([...msg.subarray(40, 44)]).toEqual([1, 0, 0, 0]);
  });

  it('the daemon\'s ring encoder writes the same bytes as the protocol\'s encoder', () => {
    const frame = { ...header, channels: 3 as const, data: pixels, sourceId: 's' };
    for (const kind of [FrameKind.raw, FrameKind.enhanced]) {
      expect([...new FrameEncoder(2).encode(frame, kind)]).toEqual([...encodeFrameMessage(header, pixels, kind)]);
    }
  });

  it('refuses another format version, naming both versions', () => {
    const msg = encodeFrameMessage(header, pixels);
    msg[6] = FRAME_FORMAT_VERSION + 1;
    const err = refusal(msg);
    expect(err).toBeInstanceOf(SonoError);
    expect(err.code).toBe('SONO_FRAME_MESSAGE_INVALID');
    expect(err.message).toMatch(/version 2, this software reads version 1/);
  });

  it('refuses a buffer shorter than the header, a wrong magic and a header length past the end', () => {
    const msg = encodeFrameMessage(header, pixels);
    expect(refusal(msg.subarray(0, 39)).message).toMatch(/39 bytes, shorter than the 40-byte header/);
    expect(refusal(new Uint8Array(0)).code).toBe('SONO_FRAME_MESSAGE_INVALID');
    const wrongMagic = msg.slice();
    wrongMagic[0] = 0x58;
    expect(refusal(wrongMagic).message).toMatch(/magic/);
    const tooLong = msg.slice(0, 42);
    new DataView(tooLong.buffer).setUint16(4, 44, true);
    expect(refusal(tooLong).message).toMatch(/header length 44 does not fit a 42-byte message/);
    const tooShort = msg.slice();
    new DataView(tooShort.buffer).setUint16(4, 12, true);
    expect(refusal(tooShort).message).toMatch(/header length 12/);
  });

  it('reads a header inside a larger buffer (a Node Buffer from a pool) at its own offset', () => {
    const pool = new Uint8Array(100 + FRAME_HEADER_BYTES + pixels.length);
    pool.set(encodeFrameMessage(header, pixels), 100);
    expect(decodeFrameHeader(pool.subarray(100))).toMatchObject({ seq: header.seq, region: header.region });
  });
});
