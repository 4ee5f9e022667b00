/**
 * OpenIGTLink (versions 1 and 2) framing: a 58-byte big-endian header — version u16, type char[12],
 * device char[20], timestamp u64 (seconds u32 + fraction/2³² u32), body size u64, CRC-64 (ECMA-182,
 * polynomial 0x42F0E1EBA9EA3693, init 0) of the body — then the body.
 */
export const HEADER_SIZE = 58;
/**
 * The largest body accepted: a 4096×4096 RGB uint8 frame (48 MiB) with its 72-byte IMAGE header and 64 KiB for a
 * version 2 extended header and metadata. Bigger declared sizes are not a frame this box can show; such a header
 * is treated as garbage (the stream resynchronises), so one peer cannot make the parser wait for and hold more.
 */
export const MAX_BODY = 4096 * 4096 * 3 + 72 + 64 * 1024;

// CRC-64/ECMA-182 tables as two 32-bit halves (no BigInt on the per-byte path), sliced by 8: table k holds
// the CRC of a byte followed by k zero bytes, so 8 bytes take 16 look-ups instead of 8 dependent rounds.
const T_HI = new Uint32Array(8 * 256);
const T_LO = new Uint32Array(8 * 256);
{
  const POLY = 0x42f0e1eba9ea3693n;
  const M = 0xffffffffffffffffn;
  const t: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i) << 56n;
    for (let k = 0; k < 8; k++) c = c & (1n << 63n) ? ((c << 1n) ^ POLY) & M : (c << 1n) & M;
    t.push(c);
  }
  const tk = t.slice();
  for (let k = 0; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      if (k > 0) tk[i] = ((tk[i]! << 8n) & M) ^ t[Number(tk[i]! >> 56n)]!;
      T_HI[k * 256 + i] = Number(tk[i]! >> 32n);
      T_LO[k * 256 + i] = Number(tk[i]! & 0xffffffffn);
    }
  }
}

/** Continues a CRC-64/ECMA-182 over `buf[start, end)` from the state `[hi, lo]`; a body fed in pieces gives the CRC of the whole. */
export function crc64Update(state: [number, number], buf: Uint8Array, start = 0, end = buf.length): [number, number] {
  let [hi, lo] = state;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const xh = (hi ^ ((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!)) >>> 0;
    const xl = (lo ^ ((buf[i + 4]! << 24) | (buf[i + 5]! << 16) | (buf[i + 6]! << 8) | buf[i + 7]!)) >>> 0;
    const a = 1792 + (xh >>> 24);
    const b = 1536 + ((xh >>> 16) & 255);
    const c = 1280 + ((xh >>> 8) & 255);
    const d = 1024 + (xh & 255);
    const e = 768 + (xl >>> 24);
    const f = 512 + ((xl >>> 16) & 255);
    const g = 256 + ((xl >>> 8) & 255);
    const h = xl & 255;
    hi = (T_HI[a]! ^ T_HI[b]! ^ T_HI[c]! ^ T_HI[d]! ^ T_HI[e]! ^ T_HI[f]! ^ T_HI[g]! ^ T_HI[h]!) >>> 0;
    lo = (T_LO[a]! ^ T_LO[b]! ^ T_LO[c]! ^ T_LO[d]! ^ T_LO[e]! ^ T_LO[f]! ^ T_LO[g]! ^ T_LO[h]!) >>> 0;
  }
  for (; i < end; i++) {
    const idx = ((hi >>> 24) ^ buf[i]!) & 0xff;
    hi = (((hi << 8) | (lo >>> 24)) ^ T_HI[idx]!) >>> 0;
    lo = ((lo << 8) ^ T_LO[idx]!) >>> 0;
  }
  return [hi, lo];
}

/** CRC-64/ECMA-182 as OpenIGTLink computes it; returns [high 32 bits, low 32 bits]. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): [number, number] {
  return crc64Update([0, 0], buf, start, end);
}

export interface IgtlHeader {
  version: number;
  type: string;
  device: string;
  timestampS: number;
  bodySize: number;
  crc: [number, number];
}

export const cstr = (b: Buffer, start: number, len: number): string => {
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

/** The content part of a body (a view, no copy): version 2 puts an extended header before it and metadata after it. */
export function contentOf(h: IgtlHeader, body: Buffer): Buffer {
  if (h.version < 2) return body;
  const ext = body.readUInt16BE(0);
  const metaHeader = body.readUInt16BE(2);
  const meta = body.readUInt32BE(4);
  const end = body.length - metaHeader - meta;
  if (end < ext) throw new Error(`version 2 body of ${body.length} bytes cannot hold a ${ext}-byte extended header and ${metaHeader + meta} bytes of metadata`);
  return body.subarray(ext, end);
}
