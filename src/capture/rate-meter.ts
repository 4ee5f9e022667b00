/** Frames per second over a sliding window of the last timestamps (fixed-size ring, no allocation). */
export class RateMeter {
  readonly #times: Float64Array;
  #n = 0;

  constructor(window = 32) {
    this.#times = new Float64Array(window);
  }

  tick(nowMs: number): void {
    this.#times[this.#n % this.#times.length] = nowMs;
    this.#n++;
  }

  fps(nowMs = performance.now()): number {
    const k = Math.min(this.#n, this.#times.length);
    if (k < 2) return 0;
    const newest = this.#times[(this.#n - 1) % this.#times.length]!;
    const oldest = this.#times[(this.#n - k) % this.#times.length]!;
    if (nowMs - newest > 2000) return 0; // stalled source reads as 0 fps, not its last rate
    return ((k - 1) * 1000) / Math.max(1e-6, newest - oldest);
  }
}
