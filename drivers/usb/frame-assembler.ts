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

export class FrameAssembler {
  readonly stats: AssemblerStats = { frames: 0, resyncs: 0, droppedBytes: 0 };
  readonly frameBytes: number;
  #buf: Buffer = Buffer.alloc(0);

  constructor(
    readonly marker: Buffer,
    readonly width: number,
    readonly height: number,
    readonly bytesPerPixel: 1 | 2 = 1,
  ) {
    if (marker.length < 2) throw new Error('The sync marker needs at least 2 bytes');
    this.frameBytes = width * height * bytesPerPixel;
  }

  /** Drops a partial frame (the device was opened again); the counters go on. */
  reset(): void {
    this.#buf = Buffer.alloc(0);
  }

  /** Feeds one transfer; returns the complete frames it finished (8-bit; 16-bit pixels keep their high byte). */
  push(chunk: Uint8Array): Uint8Array[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : Buffer.from(chunk);
    const out: Uint8Array[] = [];
    const m = this.marker;
    for (;;) {
      const at = this.#buf.indexOf(m);
      if (at < 0) {
        // keep a possible marker prefix at the end, drop the rest
        const keep = Math.min(this.#buf.length, m.length - 1);
        this.stats.droppedBytes += this.#buf.length - keep;
        this.#buf = Buffer.from(this.#buf.subarray(this.#buf.length - keep));
        return out;
      }
      if (at > 0) {
        this.stats.droppedBytes += at;
        this.stats.resyncs++;
        this.#buf = Buffer.from(this.#buf.subarray(at));
      }
      const need = m.length + this.frameBytes + m.length; // a frame is complete when the next marker shows up
      if (this.#buf.length < need) return out;
      const next = this.#buf.subarray(m.length + this.frameBytes, need);
      if (!next.equals(m)) {
        // geometry and stream disagree (a lost or extra byte): drop this marker and search again
        this.stats.resyncs++;
        this.stats.droppedBytes += m.length;
        this.#buf = Buffer.from(this.#buf.subarray(m.length));
        continue;
      }
      const px = this.#buf.subarray(m.length, m.length + this.frameBytes);
      if (this.bytesPerPixel === 1) out.push(Uint8Array.from(px));
      else {
        const g = new Uint8Array(this.width * this.height);
        for (let i = 0; i < g.length; i++) g[i] = px[2 * i + 1]!; // little-endian 16-bit: high byte
        out.push(g);
      }
      this.stats.frames++;
      this.#buf = Buffer.from(this.#buf.subarray(m.length + this.frameBytes));
    }
  }
}
