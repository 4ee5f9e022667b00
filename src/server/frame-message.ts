import type { Frame } from '../capture/frame.js';

/**
 * Binary live-frame message: a fixed little-endian header, then the pixels (no base64, no JSON).
 *
 *   0  u32  magic 0x4F4E4F53 ("SONO" as bytes S,O,N,O)
 *   4  u16  header length in bytes (40)
 *   6  u8   format version (1)
 *   7  u8   channels (1 gray, 3 RGB)
 *   8  u32  frame sequence number
 *  12  u16  width            14 u16 height
 *  16  f64  capture time, monotonic ms (source clock)
 *  24  f32  pixel spacing x, mm (0 = unknown)   28 f32 pixel spacing y
 *  32  u16  region x   34 u16 region y   36 u16 region width   38 u16 region height
 *  40  …    pixels, row-major
 *
 * A frame of another kind (an enhanced frame, display only) has a 44-byte header: bytes 40–43 are
 *  40  u8   kind (1 = enhanced: the raw frame `seq` after the enhancer; never measured on)
 *  41  u8×3 reserved (0)
 * and is sent only to clients that asked for it, so a client that reads pixels at the header length and
 * knows no kinds is never sent one. Raw frames keep the 40-byte header (kind 0).
 */
export const FRAME_HEADER_BYTES = 40;
export const FRAME_HEADER_BYTES_WITH_KIND = 44;
export const FRAME_MAGIC = 0x4f4e4f53;
export const FrameKind = { raw: 0, enhanced: 1 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/**
 * Encodes frames into a small ring of reused buffers. A buffer a socket has not finished sending (the
 * WebSocket library writes it by reference) is never overwritten: its slot gets a fresh buffer instead.
 */
export class FrameEncoder {
  #ring: Buffer[] = [];
  #next = 0;
  readonly #inFlight = new Map<Buffer, number>();

  constructor(private readonly slots = 8) {}

  /** Marks `buf` as queued on one more socket; call `release` from that send's callback. */
  retain(buf: Buffer): void {
    this.#inFlight.set(buf, (this.#inFlight.get(buf) ?? 0) + 1);
  }

  release(buf: Buffer): void {
    const n = (this.#inFlight.get(buf) ?? 1) - 1;
    if (n <= 0) this.#inFlight.delete(buf);
    else this.#inFlight.set(buf, n);
  }

  encode(f: Frame, kind: FrameKind = FrameKind.raw): Buffer {
    const head = kind === FrameKind.raw ? FRAME_HEADER_BYTES : FRAME_HEADER_BYTES_WITH_KIND;
    const bytes = head + f.data.length;
    let buf = this.#ring[this.#next];
    if (!buf || buf.length !== bytes || this.#inFlight.has(buf)) {
      buf = Buffer.allocUnsafe(bytes);
      this.#ring[this.#next] = buf;
    }
    this.#next = (this.#next + 1) % this.slots;
    buf.writeUInt32LE(FRAME_MAGIC, 0);
    buf.writeUInt16LE(head, 4);
    buf.writeUInt8(1, 6);
    buf.writeUInt8(f.channels, 7);
    buf.writeUInt32LE(f.seq >>> 0, 8);
    buf.writeUInt16LE(f.width, 12);
    buf.writeUInt16LE(f.height, 14);
    buf.writeDoubleLE(f.timestampMs, 16);
    buf.writeFloatLE(f.pixelSpacing?.x ?? 0, 24);
    buf.writeFloatLE(f.pixelSpacing?.y ?? 0, 28);
    buf.writeUInt16LE(f.region.x, 32);
    buf.writeUInt16LE(f.region.y, 34);
    buf.writeUInt16LE(f.region.width, 36);
    buf.writeUInt16LE(f.region.height, 38);
    if (head > FRAME_HEADER_BYTES) buf.writeUInt32LE(kind, 40);
    buf.set(f.data, head);
    return buf;
  }
}

export interface DecodedFrameHeader {
  seq: number;
  channels: number;
  width: number;
  height: number;
  timestampMs: number;
  pixelSpacing: { x: number; y: number } | undefined;
  region: { x: number; y: number; width: number; height: number };
  pixelOffset: number;
  /** 0 raw, 1 enhanced (display only) */
  kind: number;
}

export function decodeFrameHeader(buf: Uint8Array): DecodedFrameHeader {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteLength < FRAME_HEADER_BYTES || v.getUint32(0, true) !== FRAME_MAGIC) throw new Error('Not a sonoedge frame message');
  const sx = v.getFloat32(24, true);
  const sy = v.getFloat32(28, true);
  return {
    seq: v.getUint32(8, true),
    channels: v.getUint8(7),
    width: v.getUint16(12, true),
    height: v.getUint16(14, true),
    timestampMs: v.getFloat64(16, true),
    pixelSpacing: sx > 0 && sy > 0 ? { x: sx, y: sy } : undefined,
    region: { x: v.getUint16(32, true), y: v.getUint16(34, true), width: v.getUint16(36, true), height: v.getUint16(38, true) },
    pixelOffset: v.getUint16(4, true),
    kind: v.getUint16(4, true) > FRAME_HEADER_BYTES && buf.byteLength > FRAME_HEADER_BYTES ? v.getUint8(40) : 0,
  };
}
