import type { Frame } from '../capture/frame.js';
import { type FrameKind, FrameKind as Kind, frameHeaderBytes, writeFrameHeader } from '../protocol/frame-header.js';

/**
 * The daemon's allocation-free writer of binary live-frame messages. The layout, the one header writer
 * and the one decoder live in src/protocol/frame-header.ts (the web UI uses the same file); they are
 * re-exported here for the server's routes.
 */
export { FRAME_HEADER_BYTES, FRAME_HEADER_BYTES_WITH_KIND, FRAME_MAGIC, FrameKind, type DecodedFrameHeader, decodeFrameHeader } from '../protocol/frame-header.js';

interface Slot {
  buf: Buffer;
  view: DataView;
}

/**
 * Encodes frames into a small ring of reused buffers. A buffer a socket has not finished sending (the
 * WebSocket library writes it by reference) is never overwritten: its slot gets a fresh buffer instead.
 */
export class FrameEncoder {
  #ring: Array<Slot | undefined> = [];
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

  encode(f: Frame, kind: FrameKind = Kind.raw): Buffer {
    const bytes = frameHeaderBytes(kind) + f.data.length;
    let slot = this.#ring[this.#next];
    if (!slot || slot.buf.length !== bytes || this.#inFlight.has(slot.buf)) {
      const buf = Buffer.allocUnsafe(bytes);
      slot = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength) };
      this.#ring[this.#next] = slot;
    }
    this.#next = (this.#next + 1) % this.slots;
    const head = writeFrameHeader(slot.view, f, kind);
    slot.buf.set(f.data, head);
    return slot.buf;
  }
}
