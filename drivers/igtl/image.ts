import { HEADER_SIZE, crc64, cstr } from './wire.js';

export interface IgtlImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /**
   * 8-bit pixels (wider scalar types scaled to 0–255). For uint8 a view into `content`: the frame owns the
   * message's body (the stream parser allocates one per message and never writes it again).
   */
  pixels: Uint8Array;
  /** From the lengths of the matrix's column and row vectors; undefined when either is not finite and positive (never a guess). */
  spacingMm: { x: number; y: number } | undefined;
  /** unit column and row directions, from the matrix; undefined with the spacing */
  orientation: number[] | undefined;
  origin: [number, number, number];
}

const SCALAR_BYTES: Record<number, number> = { 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 4, 10: 4, 11: 8 };

export function decodeImage(content: Buffer): IgtlImage {
  if (content.length < 72) throw new Error(`IMAGE body of ${content.length} bytes is shorter than its 72-byte header`);
  const comps = content[2]!;
  const scalar = content[3]!;
  const little = content[4] === 2;
  const w = content.readUInt16BE(6);
  const h = content.readUInt16BE(8);
  const d = content.readUInt16BE(10);
  const m = Array.from({ length: 12 }, (_, i) => content.readFloatBE(12 + 4 * i));
  const sub = [content.readUInt16BE(66), content.readUInt16BE(68), content.readUInt16BE(70)];
  const bytes = SCALAR_BYTES[scalar];
  if (!bytes) throw new Error(`IMAGE scalar type ${scalar} is not supported`);
  if (comps !== 1 && comps !== 3) throw new Error(`IMAGE with ${comps} components is not supported (1 or 3)`);
  if (d !== 1 || sub[2] !== 1) throw new Error(`IMAGE is a ${w}×${h}×${d} volume; only 2D frames are played`);
  const sw = sub[0]!;
  const sh = sub[1]!;
  const n = sw * sh * comps;
  if (content.length < 72 + n * bytes) throw new Error(`IMAGE pixels are truncated: ${content.length - 72} bytes for ${n} samples of ${bytes} bytes`);
  let px: Uint8Array;
  if (bytes === 1) px = new Uint8Array(content.buffer, content.byteOffset + 72, n);
  else {
    px = new Uint8Array(n);
    const vals = new Float64Array(n);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const o = 72 + i * bytes;
      const v =
        bytes === 2
          ? scalar === 4
            ? little
              ? content.readInt16LE(o)
              : content.readInt16BE(o)
            : little
              ? content.readUInt16LE(o)
              : content.readUInt16BE(o)
          : bytes === 4
            ? scalar === 10
              ? little
                ? content.readFloatLE(o)
                : content.readFloatBE(o)
              : scalar === 6
                ? little
                  ? content.readInt32LE(o)
                  : content.readInt32BE(o)
                : little
                  ? content.readUInt32LE(o)
                  : content.readUInt32BE(o)
            : little
              ? content.readDoubleLE(o)
              : content.readDoubleBE(o);
      vals[i] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const k = hi > lo ? 255 / (hi - lo) : 0;
    for (let i = 0; i < n; i++) px[i] = Math.round((vals[i]! - lo) * k);
  }
  const sx = Math.hypot(m[0]!, m[1]!, m[2]!);
  const sy = Math.hypot(m[3]!, m[4]!, m[5]!);
  const known = sx > 0 && sy > 0 && sx < Infinity && sy < Infinity; // NaN fails every comparison
  return {
    width: sw,
    height: sh,
    channels: comps as 1 | 3,
    pixels: px,
    spacingMm: known ? { x: sx, y: sy } : undefined,
    orientation: known ? [m[0]! / sx, m[1]! / sx, m[2]! / sx, m[3]! / sy, m[4]! / sy, m[5]! / sy] : undefined,
    origin: [m[9]!, m[10]!, m[11]!],
  };
}

export function decodeStatus(content: Buffer): { code: number; subcode: number; name: string; message: string } {
  return { code: content.readUInt16BE(0), subcode: Number(content.readBigInt64BE(2)), name: cstr(content, 10, 20), message: cstr(content, 30, content.length - 30) };
}

/**
 * Encodes a uint8 IMAGE message (version 1, or 2 with an extended header and metadata): what an
 * OpenIGTLink sender puts on the wire. For tests and the bench; the driver itself only receives.
 */
export function encodeImageMessage(
  pixels: Uint8Array,
  w: number,
  h: number,
  o: { version?: 1 | 2; spacing?: [number, number]; origin?: [number, number, number]; timestampS?: number; device?: string } = {},
): Buffer {
  const [sx, sy] = o.spacing ?? [1, 1];
  const content = Buffer.alloc(72 + w * h);
  content.writeUInt16BE(1, 0);
  content[2] = 1; // components
  content[3] = 3; // uint8
  content[4] = 1; // big endian
  content[5] = 1; // RAS
  content.writeUInt16BE(w, 6);
  content.writeUInt16BE(h, 8);
  content.writeUInt16BE(1, 10);
  [sx, 0, 0, 0, sy, 0, 0, 0, 1, ...(o.origin ?? [0, 0, 0])].forEach((v, i) => content.writeFloatBE(v, 12 + 4 * i));
  content.writeUInt16BE(w, 66);
  content.writeUInt16BE(h, 68);
  content.writeUInt16BE(1, 70);
  content.set(pixels.subarray(0, w * h), 72);
  let body = content;
  if (o.version === 2) {
    const meta = Buffer.from('key=value');
    const metaHeader = Buffer.alloc(2);
    const ext = Buffer.alloc(12);
    ext.writeUInt16BE(12, 0);
    ext.writeUInt16BE(metaHeader.length, 2);
    ext.writeUInt32BE(meta.length, 4);
    body = Buffer.concat([ext, content, metaHeader, meta]);
  }
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt16BE(o.version ?? 1, 0);
  header.write('IMAGE', 2, 'latin1');
  header.write(o.device ?? 'Probe', 14, 'latin1');
  header.writeUInt32BE(o.timestampS ?? 0, 34);
  header.writeUInt32BE(body.length, 46);
  const [hi, lo] = crc64(body);
  header.writeUInt32BE(hi, 50);
  header.writeUInt32BE(lo, 54);
  return Buffer.concat([header, body]);
}
