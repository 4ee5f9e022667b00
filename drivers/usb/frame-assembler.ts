/**
 * Reassembles frames from a bulk stream: `marker` bytes, then width×height×bytesPerPixel pixels, then the
 * next marker. Transfers may split or join frames anywhere. When the next marker is not where the geometry
 * says, the partial frame is dropped and the stream is searched for a marker again (resync).
 */
export interface AssemblerStats {
  frames: number;
  resyncs: number;
  droppedBytes: number;
}

/**
 * Linear in the bytes received: transfers are copied once into a buffer of one frame plus two markers; a finished
 * 8-bit frame is handed on as a view of that buffer (which the assembler then leaves to it), 16-bit frames are
 * converted into a new array. Only a resync moves bytes inside the buffer.
 */
export class FrameAssembler {
  readonly stats: AssemblerStats = { frames: 0, resyncs: 0, droppedBytes: 0 };
  readonly frameBytes: number;
  readonly #cap: number;
  #acc: Buffer;
  #len = 0;

  constructor(
    readonly marker: Buffer,
    readonly width: number,
    readonly height: number,
    readonly bytesPerPixel: 1 | 2 = 1,
  ) {
    if (marker.length < 2) throw new Error('The sync marker needs at least 2 bytes');
    this.frameBytes = width * height * bytesPerPixel;
    this.#cap = this.frameBytes + 2 * marker.length; // a frame is complete when the next marker shows up
    this.#acc = Buffer.allocUnsafe(this.#cap);
  }

  /** Drops a partial frame (the device was opened again); the counters go on. */
  reset(): void {
    this.#len = 0;
  }

  /** Feeds one transfer; returns the complete frames it finished (8-bit; 16-bit pixels keep their high byte). */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const src = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength); // a view
    for (let off = 0; off < src.length;) {
      const n = Math.min(this.#cap - this.#len, src.length - off);
      src.copy(this.#acc, this.#len, off, off + n);
      this.#len += n;
      off += n;
      this.#drain(out);
    }
    return out;
  }

  /** Forgets the first `k` bytes held. */
  #drop(k: number): void {
    this.#acc.copyWithin(0, k, this.#len);
    this.#len -= k;
  }

  #drain(out: Uint8Array[]): void {
    const m = this.marker;
    for (;;) {
      const at = this.#acc.subarray(0, this.#len).indexOf(m);
      if (at < 0) {
        // keep a possible marker prefix at the end, drop the rest
        const keep = Math.min(this.#len, m.length - 1);
        this.stats.droppedBytes += this.#len - keep;
        this.#drop(this.#len - keep);
        return;
      }
      if (at > 0) {
        this.stats.droppedBytes += at;
        this.stats.resyncs++;
        this.#drop(at);
      }
      if (this.#len < this.#cap) return;
      if (!this.#acc.subarray(m.length + this.frameBytes, this.#cap).equals(m)) {
        // geometry and stream disagree (a lost or extra byte): drop this marker and search again
        this.stats.resyncs++;
        this.stats.droppedBytes += m.length;
        this.#drop(m.length);
        continue;
      }
      const px = this.#acc.subarray(m.length, m.length + this.frameBytes);
      if (this.bytesPerPixel === 1) {
        out.push(new Uint8Array(px.buffer, px.byteOffset, px.length)); // the frame keeps this buffer
        const next = Buffer.allocUnsafe(this.#cap);
        this.#acc.copy(next, 0, m.length + this.frameBytes, this.#len);
        this.#acc = next;
        this.#len -= m.length + this.frameBytes;
      } else {
        const g = new Uint8Array(this.width * this.height);
        for (let i = 0; i < g.length; i++) g[i] = px[2 * i + 1]!; // little-endian 16-bit: high byte
        out.push(g);
        this.#drop(m.length + this.frameBytes);
      }
      this.stats.frames++;
    }
  }
}
