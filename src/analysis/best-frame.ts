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

  offer(c: Candidate<T>): void {
    if (this.#best && c.seq - this.#best.seq > this.windowFrames) this.#best = undefined;
    if (c.flagged || c.quality < this.minQuality) return;
    if (!this.#best || c.quality > this.#best.quality) this.#best = c;
  }

  best(): Candidate<T> | undefined {
    return this.#best;
  }

  reset(): void {
    this.#best = undefined;
  }
}
