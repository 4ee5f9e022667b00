import type { Frame } from '../capture/frame.js';
import type { ResultEvent } from '../pipeline/bus.js';
import { type SentFrame, SentFrames } from './sent-frames.js';

/** A frame's pixels and geometry, copied out of the capture buffer (which the driver reuses). */
export type KeptFrame = Pick<Frame, 'seq' | 'timestampMs' | 'width' | 'height' | 'channels' | 'data' | 'pixelSpacing' | 'region'>;

/** Results are small: keep those of the last ~60 s of frames, so a frame frozen in a browser can be saved. */
const RESULT_RETENTION = 2000;

/**
 * Copies of the last few frames (a fixed ring, buffers reused) and the last results per model, so a
 * capture pairs a frame with the results computed on that very frame.
 */
export class RecentFrames {
  readonly #ring: KeptFrame[] = [];
  #next = 0;
  readonly #results = new Map<string, ResultEvent>();
  readonly #byFrame = new Map<number, Map<string, ResultEvent>>();
  /** The last RESULT_RETENTION frames' size, region and spacing, oldest first (a frame's own region is the truth for it). */
  readonly #seen = new SentFrames(RESULT_RETENTION);
  /** The number of the last frame kept (-1 before the first). */
  #lastSeq = -1;

  /**
   * `size` frames (0.4 s at 30 fps): enough to pair the newest result with its frame. Frames frozen longer
   * in a browser come back through POST /api/exams/:id/captures/frame instead of being kept here.
   */
  constructor(private readonly size = 12) {}

  keepFrame(f: Frame): void {
    // numbers go back only when a new source starts (a switch, a restart): every result kept is of the source
    // before, and pruning by number (below the newest - RESULT_RETENTION) would never reach its higher ones
    if (f.seq <= this.#lastSeq) this.#forgetResults();
    this.#lastSeq = f.seq;
    let slot = this.#ring[this.#next];
    const bytes = f.data.length;
    if (!slot || slot.data.length !== bytes) {
      slot = { seq: -1, timestampMs: 0, width: 0, height: 0, channels: 1, data: new Uint8Array(bytes), pixelSpacing: undefined, region: f.region };
      this.#ring[this.#next] = slot;
    }
    slot.data.set(f.data);
    slot.seq = f.seq;
    slot.timestampMs = f.timestampMs;
    slot.width = f.width;
    slot.height = f.height;
    slot.channels = f.channels;
    slot.pixelSpacing = f.pixelSpacing;
    slot.region = f.region;
    this.#next = (this.#next + 1) % this.size;
    this.#seen.keep(f);
  }

  /** Frame `seq` as the daemon sent it, if it is recent and had capture time `timestampMs`. */
  seenFrame(seq: number, timestampMs: number): SentFrame | undefined {
    return this.#seen.sent(seq, timestampMs);
  }

  /** Pixel bytes of the largest recent frame (0 before the first): a frame posted back is never larger. */
  largestFrameBytes(): number {
    return this.#seen.largestFrameBytes();
  }

  keepResult(e: ResultEvent): void {
    this.#results.set(e.modelId, e);
    let m = this.#byFrame.get(e.seq);
    if (!m) {
      m = new Map();
      this.#byFrame.set(e.seq, m);
      // keep results only for frames still in the ring
      for (const k of this.#byFrame.keys()) if (k < e.seq - RESULT_RETENTION) this.#byFrame.delete(k);
    }
    m.set(e.modelId, e);
  }

  #forgetResults(): void {
    this.#byFrame.clear();
    this.#results.clear();
  }

  resultsOf(seq: number): ResultEvent[] {
    return [...(this.#byFrame.get(seq)?.values() ?? [])];
  }

  /** The newest kept frame numbered `seq` (a source that restarted within the ring leaves older ones of that number). */
  frame(seq: number): KeptFrame | undefined {
    for (let back = 1; back <= this.#ring.length; back++) {
      const f = this.#ring[(this.#next - back + this.size) % this.size];
      if (f?.seq === seq) return f;
    }
    return undefined;
  }

  latestFrame(): KeptFrame | undefined {
    let best: KeptFrame | undefined;
    for (const f of this.#ring) if (f.seq >= 0 && (!best || f.seq > best.seq)) best = f;
    return best;
  }

  /**
   * Frame `seq` with its results when asked for one (a frozen cine frame); otherwise the newest frame that
   * has results (of `task` when given: models run at their own cadence, so the newest frame may hold only
   * another model's result), with the results of that frame; else the newest frame alone.
   */
  capture(seq?: number, task?: string): { frame: KeptFrame; results: ResultEvent[] } | undefined {
    // a result belongs to a frame by sequence AND capture time: sequences restart with the source, and a
    // result kept for an earlier source's frame of the same number must never be stored with this one
    const of = (f: KeptFrame): ResultEvent[] => this.resultsOf(f.seq).filter((r) => r.frameTimestampMs === f.timestampMs);
    if (seq !== undefined) {
      const f = this.frame(seq);
      return f && { frame: f, results: of(f) };
    }
    const results = [...this.#results.values()].sort((a, b) => b.seq - a.seq);
    const keptFrameOf = (r: ResultEvent): KeptFrame | undefined => {
      const f = this.frame(r.seq);
      return f && f.timestampMs === r.frameTimestampMs ? f : undefined;
    };
    for (const r of task ? results.filter((x) => x.result.task === task) : []) {
      const f = keptFrameOf(r);
      if (f) return { frame: f, results: of(f) };
    }
    for (const r of results) {
      const f = keptFrameOf(r);
      if (f) return { frame: f, results: results.filter((x) => x.seq === r.seq && x.frameTimestampMs === f.timestampMs) };
    }
    const f = this.latestFrame();
    return f && { frame: f, results: [] };
  }
}
