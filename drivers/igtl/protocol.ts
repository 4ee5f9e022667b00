/**
 * OpenIGTLink (versions 1 and 2) framing: a 58-byte big-endian header — version u16, type char[12],
 * device char[20], timestamp u64 (seconds u32 + fraction/2³² u32), body size u64, CRC-64 (ECMA-182,
 * polynomial 0x42F0E1EBA9EA3693, init 0) of the body — then the body. IMAGE and STATUS bodies decoded.
 */
export const HEADER_SIZE = 58;
const MAX_BODY = 64 * 1024 * 1024;

// CRC-64/ECMA-182 table as two 32-bit halves (no BigInt on the per-byte path).
const T_HI = new Uint32Array(256);
const T_LO = new Uint32Array(256);
{
  const POLY = 0x42f0e1eba9ea3693n;
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i) << 56n;
    for (let k = 0; k < 8; k++) c = c & (1n << 63n) ? ((c << 1n) ^ POLY) & 0xffffffffffffffffn : (c << 1n) & 0xffffffffffffffffn;
    T_HI[i] = Number(c >> 32n);
    T_LO[i] = Number(c & 0xffffffffn);
  }
}

/** CRC-64/ECMA-182 as OpenIGTLink computes it; returns [high 32 bits, low 32 bits]. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): [number, number] {
  let hi = 0;
  let lo = 0;
  for (let i = start; i < end; i++) {
    const idx = ((hi >>> 24) ^ buf[i]!) & 0xff;
    hi = (((hi << 8) | (lo >>> 24)) ^ T_HI[idx]!) >>> 0;
    lo = ((lo << 8) ^ T_LO[idx]!) >>> 0;
  }
  return [hi, lo];
}

export interface IgtlHeader {
  version: number;
  type: string;
  device: string;
  timestampS: number;
  bodySize: number;
  crc: [number, number];
}

const cstr = (b: Buffer, start: number, len: number): string => {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return s.subarray(0, z < 0 ? len : z).toString('latin1');
};

/** Parses a header; undefined when the bytes cannot be an OpenIGTLink header (used to resynchronise). */
export function parseHeader(b: Buffer, at = 0): IgtlHeader | undefined {
  const version = b.readUInt16BE(at);
  if (version !== 1 && version !== 2) return undefined;
  const type = cstr(b, at + 2, 12);
  if (!/^[A-Z0-9_]{1,12}$/i.test(type)) return undefined;
  const bodyHi = b.readUInt32BE(at + 42);
  const bodyLo = b.readUInt32BE(at + 46);
  if (bodyHi !== 0 || bodyLo > MAX_BODY) return undefined;
  return {
    version,
    type,
    device: cstr(b, at + 14, 20),
    timestampS: b.readUInt32BE(at + 34) + b.readUInt32BE(at + 38) / 2 ** 32,
    bodySize: bodyLo,
    crc: [b.readUInt32BE(at + 50), b.readUInt32BE(at + 54)],
  };
}

export interface IgtlImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** 8-bit pixels (wider scalar types scaled to 0–255) */
  pixels: Uint8Array;
  spacingMm: { x: number; y: number };
  /** unit column and row directions, from the matrix */
  orientation: number[];
  origin: [number, number, number];
}

/** The content part of a body: version 2 puts an extended header before it and metadata after it. */
export function contentOf(h: IgtlHeader, body: Buffer): Buffer {
  if (h.version < 2) return body;
  const ext = body.readUInt16BE(0);
  const metaHeader = body.readUInt16BE(2);
  const meta = body.readUInt32BE(4);
  return body.subarray(ext, body.length - metaHeader - meta);
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
  const px = new Uint8Array(n);
  if (bytes === 1) px.set(content.subarray(72, 72 + n));
  else {
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
  return {
    width: sw,
    height: sh,
    channels: comps as 1 | 3,
    pixels: px,
    spacingMm: { x: sx || 1, y: sy || 1 },
    orientation: [m[0]! / (sx || 1), m[1]! / (sx || 1), m[2]! / (sx || 1), m[3]! / (sy || 1), m[4]! / (sy || 1), m[5]! / (sy || 1)],
    origin: [m[9]!, m[10]!, m[11]!],
  };
}

export function decodeStatus(content: Buffer): { code: number; subcode: number; name: string; message: string } {
  return { code: content.readUInt16BE(0), subcode: Number(content.readBigInt64BE(2)), name: cstr(content, 10, 20), message: cstr(content, 30, content.length - 30) };
}

export interface StreamStats {
  messages: number;
  crcErrors: number;
  unknownTypes: number;
  garbageBytes: number;
  badBodies: number;
}

export type IgtlMessage = { header: IgtlHeader; content: Buffer };

/** Incremental stream parser: whole, CRC-checked messages; garbage is skipped byte by byte. */
export class IgtlStreamParser {
  #buf: Buffer = Buffer.alloc(0);
  readonly stats: StreamStats = { messages: 0, crcErrors: 0, unknownTypes: 0, garbageBytes: 0, badBodies: 0 };

  constructor(private readonly known = new Set(['IMAGE', 'STATUS'])) {}

  push(chunk: Buffer): IgtlMessage[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: IgtlMessage[] = [];
    let i = 0;
    const b = this.#buf;
    while (i + HEADER_SIZE <= b.length) {
      const h = parseHeader(b, i);
      if (!h) {
        i++;
        this.stats.garbageBytes++;
        continue;
      }
      if (i + HEADER_SIZE + h.bodySize > b.length) break;
      const body = b.subarray(i + HEADER_SIZE, i + HEADER_SIZE + h.bodySize);
      const [chi, clo] = crc64(body);
      i += HEADER_SIZE + h.bodySize; // a well-framed message is skipped whole, good or bad: sync is kept
      if (chi !== h.crc[0] || clo !== h.crc[1]) {
        this.stats.crcErrors++;
        continue;
      }
      if (!this.known.has(h.type)) {
        this.stats.unknownTypes++;
        continue;
      }
      try {
        out.push({ header: h, content: Buffer.from(contentOf(h, body)) });
        this.stats.messages++;
      } catch {
        this.stats.badBodies++;
      }
    }
    this.#buf = Buffer.from(b.subarray(i));
    return out;
  }

  /** Bytes of an incomplete message left when the connection closed. */
  pending(): number {
    return this.#buf.length;
  }
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
