/**
 * OpenIGTLink stream parsing: the wire format (header, CRC-64) is in wire.ts, IMAGE and STATUS bodies in
 * image.ts; both are re-exported here, the one module the driver, tests and bench import.
 */
import { HEADER_SIZE, type IgtlHeader, contentOf, crc64Update, parseHeader } from './wire.js';

export * from './wire.js';
export * from './image.js';

export interface StreamStats {
  messages: number;
  crcErrors: number;
  unknownTypes: number;
  garbageBytes: number;
  badBodies: number;
}

/** `content` is a view into a body buffer allocated for this message alone: the receiver owns it. */
export type IgtlMessage = { header: IgtlHeader; content: Buffer };

/**
 * Incremental stream parser: whole, CRC-checked messages; garbage is skipped byte by byte.
 *
 * Linear in the bytes received: once a header is read, one buffer of the body's size is allocated and each
 * chunk is copied into it once (none for a type nobody reads), with the CRC advanced over the new bytes as
 * they arrive; only a header split across chunks (under 58 bytes) is held in a small side buffer.
 */
export class IgtlStreamParser {
  readonly stats: StreamStats = { messages: 0, crcErrors: 0, unknownTypes: 0, garbageBytes: 0, badBodies: 0 };
  /** bytes that may start a header, held until HEADER_SIZE of them are there (never more than 2 × HEADER_SIZE) */
  readonly #head = Buffer.alloc(2 * HEADER_SIZE);
  #headLen = 0;
  /** the message whose body is being received */
  #h: IgtlHeader | undefined;
  #body: Buffer | undefined;
  #fill = 0;
  #crc: [number, number] = [0, 0];

  constructor(private readonly known = new Set(['IMAGE', 'STATUS'])) {}

  push(chunk: Buffer): IgtlMessage[] {
    const out: IgtlMessage[] = [];
    let off = 0;
    while (off < chunk.length || (this.#h && this.#fill === this.#h.bodySize)) {
      if (this.#h) off = this.#feedBody(chunk, off, out);
      else if (this.#headLen === 0) off = this.#scan(chunk, off);
      else off = this.#scanSplit(chunk, off);
    }
    return out;
  }

  /** Looks for a header inside the chunk itself; a tail too short for one goes to the side buffer. */
  #scan(chunk: Buffer, off: number): number {
    for (; off + HEADER_SIZE <= chunk.length; off++) {
      const h = parseHeader(chunk, off);
      if (h) {
        this.#begin(h);
        return off + HEADER_SIZE;
      }
      this.stats.garbageBytes++;
    }
    chunk.copy(this.#head, 0, off);
    this.#headLen = chunk.length - off;
    return chunk.length;
  }

  /** A header may straddle chunks: side buffer plus up to HEADER_SIZE new bytes, scanned in place. */
  #scanSplit(chunk: Buffer, off: number): number {
    const had = this.#headLen;
    const take = Math.min(HEADER_SIZE, chunk.length - off);
    chunk.copy(this.#head, had, off, off + take);
    const total = had + take;
    let i = 0;
    for (; i + HEADER_SIZE <= total; i++) {
      const h = parseHeader(this.#head, i);
      if (h) {
        this.#headLen = 0;
        this.#begin(h);
        return off + (i + HEADER_SIZE - had);
      }
      this.stats.garbageBytes++;
    }
    this.#head.copyWithin(0, i, total);
    this.#headLen = total - i;
    return off + take;
  }

  #begin(h: IgtlHeader): void {
    this.#h = h;
    this.#fill = 0;
    this.#crc = [0, 0];
    // a type nobody reads is only CRC-checked and counted: its bytes are not kept
    this.#body = this.known.has(h.type) ? Buffer.allocUnsafe(h.bodySize) : undefined;
  }

  #feedBody(chunk: Buffer, off: number, out: IgtlMessage[]): number {
    const h = this.#h!;
    const n = Math.min(h.bodySize - this.#fill, chunk.length - off);
    if (n > 0) {
      this.#crc = crc64Update(this.#crc, chunk, off, off + n);
      if (this.#body) chunk.copy(this.#body, this.#fill, off, off + n);
      this.#fill += n;
    }
    if (this.#fill < h.bodySize) return off + n;
    const body = this.#body;
    this.#h = undefined;
    this.#body = undefined;
    this.#fill = 0;
    // a well-framed message is skipped whole, good or bad: sync is kept
    if (this.#crc[0] !== h.crc[0] || this.#crc[1] !== h.crc[1]) this.stats.crcErrors++;
    else if (!body) this.stats.unknownTypes++;
    else {
      try {
        out.push({ header: h, content: contentOf(h, body) });
        this.stats.messages++;
      } catch {
        this.stats.badBodies++;
      }
    }
    return off + n;
  }

  /** Bytes of an incomplete message held (a truncated message when the connection closed). */
  pending(): number {
    return this.#headLen + (this.#h ? HEADER_SIZE + this.#fill : 0);
  }

  /** Drops an incomplete message (a new connection starts clean); the counters go on. */
  reset(): void {
    this.#headLen = 0;
    this.#h = undefined;
    this.#body = undefined;
    this.#fill = 0;
  }
}
