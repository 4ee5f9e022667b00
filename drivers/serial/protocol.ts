/**
 * The sonoedge probe-control serial protocol (documented in README.md):
 *
 *   A5 5A | type u8 | length u16 LE | payload (length bytes, ≤ 512) | CRC-16/CCITT-FALSE u16 LE
 *
 * The CRC covers type, length and payload. A receiver that sees garbage, a bad CRC or a truncated frame
 * drops one byte and searches for the next A5 5A, so it resynchronises by itself.
 */
import type { ProbeEvent } from '../../src/capture/probe-control.js';

export const SYNC0 = 0xa5;
export const SYNC1 = 0x5a;
export const MAX_PAYLOAD = 512;
export const MsgType = { BUTTON: 0x01, DEPTH: 0x02, GAIN: 0x03, IDENTITY: 0x04, TEMPERATURE: 0x05, HEARTBEAT: 0x06 } as const;
export const Button = { FREEZE: 1, UNFREEZE: 2, CAPTURE: 3 } as const;

/** CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection (check value for "123456789" is 0x29B1). */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function encodeFrame(type: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.alloc(7 + payload.length);
  out[0] = SYNC0;
  out[1] = SYNC1;
  out[2] = type;
  out.writeUInt16LE(payload.length, 3);
  out.set(payload, 5);
  out.writeUInt16LE(crc16(out, 2, 5 + payload.length), 5 + payload.length);
  return out;
}

export function decodePayload(type: number, p: Buffer): ProbeEvent | undefined {
  switch (type) {
    case MsgType.BUTTON:
      if (p.length < 1) return undefined;
      return p[0] === Button.FREEZE ? { kind: 'freeze', frozen: true } : p[0] === Button.UNFREEZE ? { kind: 'freeze', frozen: false } : p[0] === Button.CAPTURE ? { kind: 'capture' } : undefined;
    case MsgType.DEPTH:
      return p.length >= 2 ? { kind: 'depth', mm: p.readUInt16LE(0) } : undefined;
    case MsgType.GAIN:
      return p.length >= 1 ? { kind: 'gain', db: p.readInt8(0) } : undefined;
    case MsgType.IDENTITY: {
      const [model = '', serial = ''] = p.toString('ascii').split('\0');
      return { kind: 'identity', model, serial };
    }
    case MsgType.TEMPERATURE:
      return p.length >= 2 ? { kind: 'temperature', celsius: p.readInt16LE(0) / 10 } : undefined;
    case MsgType.HEARTBEAT:
      return { kind: 'heartbeat' };
    default:
      return undefined;
  }
}

export interface ParserStats {
  framesOk: number;
  crcErrors: number;
  unknownTypes: number;
  garbageBytes: number;
}

/** Incremental parser: feed it whatever the port delivers; it returns whole, CRC-checked events. */
export class ProbeFrameParser {
  #buf: Buffer = Buffer.alloc(0);
  readonly stats: ParserStats = { framesOk: 0, crcErrors: 0, unknownTypes: 0, garbageBytes: 0 };

  push(chunk: Buffer): ProbeEvent[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: ProbeEvent[] = [];
    let i = 0;
    const b = this.#buf;
    while (i + 7 <= b.length) {
      if (b[i] !== SYNC0 || b[i + 1] !== SYNC1) {
        i++;
        this.stats.garbageBytes++;
        continue;
      }
      const len = b.readUInt16LE(i + 3);
      if (len > MAX_PAYLOAD) {
        i++;
        this.stats.garbageBytes++;
        continue;
      }
      if (i + 7 + len > b.length) break; // wait for the rest
      const crc = b.readUInt16LE(i + 5 + len);
      if (crc !== crc16(b, i + 2, i + 5 + len)) {
        this.stats.crcErrors++;
        i++; // resynchronise on the next sync pair
        continue;
      }
      const type = b[i + 2]!;
      const ev = decodePayload(type, b.subarray(i + 5, i + 5 + len));
      if (ev) {
        out.push(ev);
        this.stats.framesOk++;
      } else this.stats.unknownTypes++;
      i += 7 + len;
    }
    this.#buf = Buffer.from(b.subarray(i)); // keep the unparsed tail (small)
    return out;
  }
}
