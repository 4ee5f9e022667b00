import type { ResultMessage } from '../../../src/protocol/index.js';

export interface CineFrame {
  seq: number;
  buf: ArrayBuffer;
  result: ResultMessage | undefined;
}

/**
 * The last N seconds of frames with their results (the WebSocket delivers a fresh ArrayBuffer per frame, so
 * keeping references costs no copy). Freeze stops appending; scrubbing picks a frame; the frame with the best
 * quality score is offered first.
 */
export class Cine {
  readonly frames: CineFrame[] = [];
  frozen = false;
  index = -1;

  constructor(private readonly capacity: number) {}

  push(seq: number, buf: ArrayBuffer): void {
    if (this.frozen) return;
    this.frames.push({ seq, buf, result: undefined });
    if (this.frames.length > this.capacity) this.frames.shift();
  }

  attach(r: ResultMessage): void {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      if (f.seq === r.seq) {
        f.result = r;
        return;
      }
      if (f.seq < r.seq) return;
    }
  }

  freeze(): void {
    this.frozen = true;
    this.index = this.bestIndex();
  }

  unfreeze(): void {
    this.frozen = false;
    this.index = -1;
  }

  /** Highest-quality detected head (or surest lesion outline) without warnings; else the newest frame with a result; else the newest. */
  bestIndex(): number {
    let best = -1;
    let score = -1;
    this.frames.forEach((f, i) => {
      const r = f.result?.result;
      if (!r || r.task === 'enhance' || (r.task === 'fetal-head' ? !r.detected : !r.lesion)) return;
      const q = (r.task === 'fetal-head' ? r.quality.score : r.maskConfidence) - (r.flags.some((x) => (r.task === 'fetal-head' ? x.severity !== 'info' : x.severity === 'warning')) ? 1 : 0);
      if (q > score) {
        score = q;
        best = i;
      }
    });
    return best >= 0 ? best : this.frames.length - 1;
  }

  /** The frame shown while frozen: the scrubbed one, with the newest result at or before it. */
  current(): CineFrame | undefined {
    return this.frames[this.index];
  }

  resultFor(i: number): ResultMessage | undefined {
    for (let k = i; k >= 0 && k > i - 15; k--) if (this.frames[k]?.result) return this.frames[k]!.result;
    return undefined;
  }
}
