/**
 * Auto-capture: over a sweep, keep the single best proposal (highest quality score, no warning flag), so
 * the clinician is offered one good frame instead of a flicker. Pure; the caller feeds results in order.
 */
import { POOR_QUALITY_BELOW } from './quality.js';

export interface Candidate<T> {
  seq: number;
  quality: number;
  /** true when any flag above "info" is present */
  flagged: boolean;
  value: T;
}

export class BestFrameSelector<T> {
  #best: Candidate<T> | undefined;

  constructor(
    /** proposals below this quality are never offered */
    readonly minQuality = POOR_QUALITY_BELOW,
    /** how many frames a best proposal stays eligible */
    readonly windowFrames = 90,
  ) {}

  /**
   * A proposal expires `windowFrames` frames on, and at once when the sequence goes back: numbers restart at 0
   * with every source (a switch, a restart), so a lower number is a frame of another source, and the best of
   * the one before must never be offered for it (it stood for good: the new numbers stayed below its own).
   */
  offer(c: Candidate<T>): void {
    if (this.#best && (c.seq < this.#best.seq || c.seq - this.#best.seq > this.windowFrames)) this.#best = undefined;
    if (c.flagged || c.quality < this.minQuality) return;
    if (!this.#best || c.quality > this.#best.quality) this.#best = c;
  }

  best(): Candidate<T> | undefined {
    return this.#best;
  }

  /** Forgets the proposal (the source changed: whatever its numbers, no frame of the one before is offered). */
  reset(): void {
    this.#best = undefined;
  }
}
