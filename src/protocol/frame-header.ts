/**
 * The binary live-frame message (/api/live and POST /api/exams/:id/captures/frame): a fixed little-endian
 * header, then the pixels, row-major (no base64, no JSON). One layout, one writer, one decoder, used by
 * the daemon and the web UI alike. New fields are only ever appended.
 *
 *   0  u32  magic 0x4F4E4F53 ("SONO" as bytes S,O,N,O)
 *   4  u16  header length in bytes (40, or 44 with a kind)
 *   6  u8   format version (1)
 *   7  u8   channels (1 gray, 3 RGB)
 *   8  u32  frame sequence number
 *  12  u16  width            14 u16 height
 *  16  f64  capture time, monotonic ms (source clock)
 *  24  f32  pixel spacing x, mm (0 = unknown)   28 f32 pixel spacing y
 *  32  u16  region x   34 u16 region y   36 u16 region width   38 u16 region height
 *  40  …    pixels (at the header length)
 *
 * A frame of another kind (an enhanced frame, display only) has a 44-byte header: bytes 40–43 are
 *  40  u8   kind (1 = enhanced: the raw frame `seq` after the enhancer; never measured on)
 *  41  u8×3 reserved (0)
 * and is sent only to clients that asked for it. Raw frames keep the 40-byte header (kind 0).
 *
 * No Node imports: the browser bundles this file.
 */
import { type ErrorCode, SonoError } from '../errors.js';

export const FRAME_MAGIC = 0x4f4e4f53;
/** The only header format this code reads and writes; a frame with another version is refused. */
export const FRAME_FORMAT_VERSION = 1;
export const FRAME_HEADER_BYTES = 40;
export const FRAME_HEADER_BYTES_WITH_KIND = 44;

/** Byte offsets of each header field. */
export const FrameField = {
  magic: 0,
  headerBytes: 4,
  version: 6,
  channels: 7,
  seq: 8,
  width: 12,
  height: 14,
  timestampMs: 16,
  spacingX: 24,
  spacingY: 28,
  regionX: 32,
  regionY: 34,
  regionWidth: 36,
  regionHeight: 38,
  kind: 40,
} as const;

export const FrameKind = { raw: 0, enhanced: 1 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface ImagingRegionFields {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a header says about its frame (a capture `Frame` has all of these fields). */
export interface FrameHeaderFields {
  seq: number;
  channels: number;
  width: number;
  height: number;
  timestampMs: number;
  pixelSpacing: { x: number; y: number } | undefined;
  region: ImagingRegionFields;
}

export interface DecodedFrameHeader extends FrameHeaderFields {
  /** where the pixels start: the header length */
  pixelOffset: number;
  /** 0 raw, 1 enhanced (display only); a kind this code does not know is passed on as its number */
  kind: number;
}

/** Header length for a kind: raw frames keep the original 40 bytes. */
export function frameHeaderBytes(kind: FrameKind): number {
  return kind === FrameKind.raw ? FRAME_HEADER_BYTES : FRAME_HEADER_BYTES_WITH_KIND;
}

/**
 * Writes the header of `h` at the start of `view` (which must hold `frameHeaderBytes(kind)` bytes) and
 * returns the header length, where the pixels go. The one writer: the daemon's ring encoder and
 * `encodeFrameMessage` both use it.
 */
export function writeFrameHeader(view: DataView, h: FrameHeaderFields, kind: FrameKind = FrameKind.raw): number {
  const head = frameHeaderBytes(kind);
  const F = FrameField;
  view.setUint32(F.magic, FRAME_MAGIC, true);
  view.setUint16(F.headerBytes, head, true);
  view.setUint8(F.version, FRAME_FORMAT_VERSION);
  view.setUint8(F.channels, h.channels);
  view.setUint32(F.seq, h.seq >>> 0, true);
  view.setUint16(F.width, h.width, true);
  view.setUint16(F.height, h.height, true);
  view.setFloat64(F.timestampMs, h.timestampMs, true);
  view.setFloat32(F.spacingX, h.pixelSpacing?.x ?? 0, true);
  view.setFloat32(F.spacingY, h.pixelSpacing?.y ?? 0, true);
  view.setUint16(F.regionX, h.region.x, true);
  view.setUint16(F.regionY, h.region.y, true);
  view.setUint16(F.regionWidth, h.region.width, true);
  view.setUint16(F.regionHeight, h.region.height, true);
  if (head > FRAME_HEADER_BYTES) view.setUint32(F.kind, kind, true); // kind, then 3 reserved zero bytes
  return head;
}

/** A fresh frame message (header + pixels). The daemon's live path uses its own buffer ring instead. */
export function encodeFrameMessage(h: FrameHeaderFields, pixels: Uint8Array, kind: FrameKind = FrameKind.raw): Uint8Array {
  const out = new Uint8Array(frameHeaderBytes(kind) + pixels.length);
  const head = writeFrameHeader(new DataView(out.buffer), h, kind);
  out.set(pixels, head);
  return out;
}

/** ErrorCodes.FRAME_MESSAGE_INVALID, spelt out (type-checked) so the browser bundle does not carry every code. */
const INVALID: ErrorCode = 'SONO_FRAME_MESSAGE_INVALID';

function refuse(why: string): never {
  throw new SonoError(INVALID, `Not a sonoedge frame message: ${why}. Send the binary message /api/live sent, unchanged.`);
}

/**
 * Reads a frame message's header. Refuses (SonoError FRAME_MESSAGE_INVALID) a buffer shorter than a
 * header, a wrong magic, a format version other than FRAME_FORMAT_VERSION and a header length that does
 * not fit the buffer. Pixel spacing is known only when both axes are positive. Does not check the pixel
 * count: a caller that keeps the pixels checks `width × height × channels` itself.
 */
export function decodeFrameHeader(buf: ArrayBuffer | ArrayBufferView): DecodedFrameHeader {
  const v = buf instanceof ArrayBuffer ? new DataView(buf) : new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const F = FrameField;
  if (v.byteLength < FRAME_HEADER_BYTES) refuse(`${v.byteLength} bytes, shorter than the ${FRAME_HEADER_BYTES}-byte header`);
  const magic = v.getUint32(F.magic, true);
  if (magic !== FRAME_MAGIC) refuse(`magic 0x${magic.toString(16)} is not 0x${FRAME_MAGIC.toString(16)} ("SONO")`);
  const version = v.getUint8(F.version);
  if (version !== FRAME_FORMAT_VERSION) refuse(`header format version ${version}, this software reads version ${FRAME_FORMAT_VERSION} (update the client or the daemon)`);
  const head = v.getUint16(F.headerBytes, true);
  if (head < FRAME_HEADER_BYTES || head > v.byteLength) refuse(`header length ${head} does not fit a ${v.byteLength}-byte message`);
  const sx = v.getFloat32(F.spacingX, true);
  const sy = v.getFloat32(F.spacingY, true);
  return {
    seq: v.getUint32(F.seq, true),
    channels: v.getUint8(F.channels),
    width: v.getUint16(F.width, true),
    height: v.getUint16(F.height, true),
    timestampMs: v.getFloat64(F.timestampMs, true),
    pixelSpacing: sx > 0 && sy > 0 ? { x: sx, y: sy } : undefined,
    region: { x: v.getUint16(F.regionX, true), y: v.getUint16(F.regionY, true), width: v.getUint16(F.regionWidth, true), height: v.getUint16(F.regionHeight, true) },
    pixelOffset: head,
    kind: head > FRAME_HEADER_BYTES ? v.getUint8(F.kind) : FrameKind.raw,
  };
}
