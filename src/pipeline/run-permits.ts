/**
 * How many model runs may be in flight at once, across models: one per core the runs can have. Each model
 * runs on its own worker thread, so two models run side by side when two permits are free; with fewer
 * permits than busy models they take turns, first come first served. A permit belongs to a model's lane
 * while that lane has a run in flight (runs it queues behind its own on the same worker add no thread), and
 * a lane that sees others waiting (`contended`) hands its permit on after its run instead of queueing more.
 */
export class RunPermits {
  #free: number;
  readonly #waiters: Array<() => void> = [];

  constructor(readonly total: number) {
    if (!Number.isInteger(total) || total < 1) throw new RangeError(`Concurrent model runs must be a whole number ≥ 1, got ${total}; use 1 on a one-core board`);
    this.#free = total;
  }

  /** Another lane waits for a permit. */
  get contended(): boolean {
    return this.#waiters.length > 0;
  }

  /** Takes a permit if one is free (no promise: the hot path when cores are not short). */
  tryAcquire(): boolean {
    if (this.#free === 0) return false;
    this.#free--;
    return true;
  }

  /** Waits for a permit, in arrival order; rejects with the signal's reason when it aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(grant);
    });
  }

  /** Returns a permit: handed straight to the first waiter, if any. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free = Math.min(this.total, this.#free + 1);
  }
}
