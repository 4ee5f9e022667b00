import { type LiveTaskResult, type ResultMessage, TASKS, type TaskName, decodeFrameHeader } from '../../../src/protocol/index.js';

export interface CineFrame {
  seq: number;
  /** The frame's capture time (its header's): with `seq`, what names it (numbers restart with every source). */
  timestampMs: number;
  buf: ArrayBuffer;
  /**
   * The frame's result of each task that came for it: a frame scanned as obstetric and kept through a
   * switch to breast and back still has its head. Read only the shown exam type's task: another type's result
   * has nothing that type can review or draw.
   */
  readonly results: Record<TaskName, ResultMessage | undefined>;
}

const EMPTY = new ArrayBuffer(0);

/** A frame message's capture time; NaN for a buffer that is no frame (then its number alone names it). */
function captureTime(buf: ArrayBuffer): number {
  try {
    return decodeFrameHeader(buf).timestampMs;
  } catch {
    return Number.NaN;
  }
}

/** Is `r` the result of frame `seq` captured at `timestampMs` (not a finite time: unknown, its number alone)? */
function isOf(r: Pick<ResultMessage, 'seq' | 'frameTimestampMs'>, seq: number, timestampMs: number): boolean {
  return r.seq === seq && (r.frameTimestampMs === timestampMs || !Number.isFinite(timestampMs));
}

/**
 * How a result goes on a frame (header `h`): `fresh` on the very frame it was computed on (same number AND capture
 * time: numbers restart at 0 with every source), `stale` over one of the next `staleFrames` frames of the same
 * source (captured after it, and not before `since`, when the current numbering began), else `none`: a result of
 * another source's frame is never drawn on this one.
 */
export function overlayOf(r: ResultMessage, h: { seq: number; timestampMs: number }, since: number, staleFrames: number): 'fresh' | 'stale' | 'none' {
  if (isOf(r, h.seq, h.timestampMs)) return 'fresh';
  const t = r.frameTimestampMs;
  return r.seq < h.seq && h.seq - r.seq < staleFrames && t < h.timestampMs && t >= since ? 'stale' : 'none';
}
const TASK_NAMES: readonly TaskName[] = Object.values(TASKS);

/**
 * Whether a result gives the exam type of `task` something to review: a detected head, a lesion outline. A
 * result of another task, a head not found or no lesion has no proposal: Best frame skips it, and it does not
 * count as a result to review (a cine of only such frames says the AI found nothing to measure in it, not
 * "choose another frame").
 */
export function isReviewable(r: LiveTaskResult | undefined, task: TaskName): r is Extract<LiveTaskResult, { task: 'fetal-head' | 'breast-lesion' }> {
  if (r?.task !== task) return false;
  if (r.task === 'fetal-head') return r.detected;
  return r.task === 'breast-lesion' && r.lesion !== undefined;
}

/**
 * The last N seconds of frames with their results, keyed by seq: a fixed ring of reused slots (no allocation
 * per frame; the WebSocket delivers a fresh ArrayBuffer per frame, so keeping references costs no copy).
 * Each result is attached to the frame it was computed on, one per task (an exam-type switch and back finds them
 * again), and only drawn there. Freeze stops appending;
 * scrubbing picks a frame (index 0 is the oldest); the frame with the best quality score is offered first.
 */
export class Cine {
  readonly #slots: CineFrame[];
  #start = 0;
  #count = 0;
  /** Capture time of the first frame of the current numbering (a number at or below the last one pushed starts one). */
  since = Number.NEGATIVE_INFINITY;
  frozen = false;
  index = -1;
  /** The newest frame's number when the cine was cut (a source restarting right after still starts a numbering). */
  #cutAtSeq: number | undefined;

  constructor(private readonly capacity: number) {
    // every slot's results record has every task's key from the start: push clears them in place
    this.#slots = Array.from({ length: capacity }, () => ({
      seq: -1,
      timestampMs: Number.NaN,
      buf: EMPTY,
      results: Object.fromEntries(TASK_NAMES.map((t) => [t, undefined])) as CineFrame['results'],
    }));
  }

  get length(): number {
    return this.#count;
  }

  /** The i-th frame kept, oldest first. */
  at(i: number): CineFrame | undefined {
    return i >= 0 && i < this.#count ? this.#slots[(this.#start + i) % this.capacity] : undefined;
  }

  /**
   * The kept frame with this seq, captured at `timestampMs` when given (undefined once it left the ring). Every
   * frame is looked at: after a source switch the ring holds two numberings.
   */
  bySeq(seq: number, timestampMs?: number): CineFrame | undefined {
    for (let i = this.#count - 1; i >= 0; i--) {
      const f = this.at(i)!;
      if (f.seq === seq && (timestampMs === undefined || isOf({ seq, frameTimestampMs: timestampMs }, f.seq, f.timestampMs))) return f;
    }
    return undefined;
  }

  /** `timestampMs`: the frame's capture time (read from its header when not given). */
  push(seq: number, buf: ArrayBuffer, timestampMs = captureTime(buf)): void {
    if (this.frozen) return;
    const lastSeq = this.at(this.#count - 1)?.seq ?? this.#cutAtSeq;
    if (lastSeq !== undefined && seq <= lastSeq) this.since = timestampMs; // a new source: its numbers start again
    let slot: CineFrame;
    if (this.#count < this.capacity) slot = this.#slots[(this.#start + this.#count++) % this.capacity]!;
    else {
      slot = this.#slots[this.#start]!;
      this.#start = (this.#start + 1) % this.capacity;
    }
    slot.seq = seq;
    slot.timestampMs = timestampMs;
    slot.buf = buf;
    for (const t of TASK_NAMES) slot.results[t] = undefined;
  }

  /** Keeps `r` on the frame it was computed on (its number AND capture time), beside that frame's results of other tasks. */
  attach(r: ResultMessage): void {
    const f = this.bySeq(r.seq, r.frameTimestampMs);
    if (f) f.results[r.result.task] = r;
  }

  /** Freezes on the best frame of `task` (the shown exam type's: bestIndex). */
  freeze(task: TaskName): void {
    this.frozen = true;
    this.index = this.bestIndex(task);
  }

  /** Whether any kept frame has a result of `task` with something to review (isReviewable, as bestIndex counts them). */
  hasResultOf(task: TaskName): boolean {
    return this.reviewableCount(task) > 0;
  }

  /** Whether any kept frame has a result of `task` at all, with something to review or not (no head found). */
  hasAnyResultOf(task: TaskName): boolean {
    for (let i = 0; i < this.#count; i++) if (this.at(i)!.results[task]) return true;
    return false;
  }

  /** How many kept frames have a result of `task` with something to review (isReviewable). */
  reviewableCount(task: TaskName): number {
    let n = 0;
    for (let i = 0; i < this.#count; i++) if (isReviewable(this.at(i)!.results[task]?.result, task)) n++;
    return n;
  }

  unfreeze(): void {
    this.frozen = false;
    this.index = -1;
  }

  /**
   * Drops every kept frame and goes live: another exam begins (web-ui/src/patient-form), and the frames kept so far
   * may show the patient before. Freeze, Best frame, scrubbing and a clip then offer only the frames pushed after.
   */
  cut(): void {
    this.#cutAtSeq = this.at(this.#count - 1)?.seq ?? this.#cutAtSeq;
    for (let i = 0; i < this.#count; i++) this.at(i)!.buf = EMPTY; // their pixels are not kept alive
    this.#start = 0;
    this.#count = 0;
    this.unfreeze();
  }

  /**
   * Of the results of `task` only (the shown exam type's: another type's result has nothing it can review), the
   * highest-quality detected head (or surest lesion outline) without warnings; else the newest frame.
   */
  bestIndex(task: TaskName): number {
    let best = -1;
    let score = -1;
    for (let i = 0; i < this.#count; i++) {
      const r = this.at(i)!.results[task]?.result;
      if (!isReviewable(r, task)) continue;
      const q = (r.task === 'fetal-head' ? r.quality.score : r.maskConfidence) - (r.flags.some((x) => (r.task === 'fetal-head' ? x.severity !== 'info' : x.severity === 'warning')) ? 1 : 0);
      if (q > score) {
        score = q;
        best = i;
      }
    }
    return best >= 0 ? best : this.#count - 1;
  }

  /**
   * A clip around frame `i`: up to `max` kept frames centred on it (clamped to the ring's ends), and only the
   * unbroken run of frames with the same `key` as frame i (its size and region: one clip is one image size).
   * Oldest first; empty when `i` is not kept.
   */
  clipAround(i: number, max: number, key: (f: CineFrame) => string): CineFrame[] {
    const centre = this.at(i);
    if (!centre) return [];
    const k = key(centre);
    let lo = i;
    let hi = i;
    // grow one frame at a time on alternate sides, so the shown frame stays in the middle where it can
    while (hi - lo + 1 < max) {
      const before = this.at(lo - 1);
      const after = this.at(hi + 1);
      const takeBefore = before !== undefined && key(before) === k;
      const takeAfter = after !== undefined && key(after) === k;
      if (!takeBefore && !takeAfter) break;
      if (takeAfter && (!takeBefore || hi - i <= i - lo)) hi++;
      else lo--;
    }
    return Array.from({ length: hi - lo + 1 }, (_, j) => this.at(lo + j)!);
  }

  /** The frame shown while frozen: the scrubbed one. Its own result of the shown type's task (if any) is the only one drawn on it. */
  current(): CineFrame | undefined {
    return this.at(this.index);
  }
}
