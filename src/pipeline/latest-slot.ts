/**
 * Latest-frame-wins mailbox: holds at most one item. A put over an untaken item replaces it and counts a
 * drop, so memory stays bounded whatever the input rate. `take` waits for the next item or the signal.
 * Memory: a wait is one promise; the abort listener is added once per signal, the executors are made once.
 * One taker, with one signal at a time (a call with another signal moves the listener to it).
 */
export class LatestSlot<T> {
  #item: T | undefined;
  #has = false;
  /** The taker waiting for an item, if any (one at a time). */
  #takeResolve: ((item: T) => void) | undefined;
  #takeReject: ((reason: unknown) => void) | undefined;
  /** The wait of next(), if any: one promise whatever the calls, until it settles. */
  #next: Promise<void> | undefined;
  #nextResolve: (() => void) | undefined;
  /** The signal the abort listener is on. */
  #signal: AbortSignal | undefined;
  dropped = 0;
  /** Items put so far; `takenAt` is the number (1-based, in put order) of the last item taken. */
  puts = 0;
  takenAt = 0;

  readonly #takeExecutor = (resolve: (item: T) => void, reject: (reason: unknown) => void): void => {
    this.#takeResolve = resolve;
    this.#takeReject = reject;
  };
  readonly #nextExecutor = (resolve: () => void): void => {
    this.#nextResolve = resolve;
  };
  /** The signal aborted: the wait of next() settles, a waiting taker is refused with its reason. */
  readonly #onAbort = (): void => {
    this.wake();
    const reject = this.#takeReject;
    this.#takeResolve = this.#takeReject = undefined;
    reject?.(this.#signal?.reason);
  };

  /** Drops the item waiting, if any, uncounted: its taker has stopped, and a later taker must not get it. */
  clear(): void {
    this.#item = undefined;
    this.#has = false;
  }

  /** True when an item is waiting to be taken. */
  get hasItem(): boolean {
    return this.#has;
  }

  put(item: T): void {
    this.puts++;
    this.wake();
    const taker = this.#takeResolve;
    if (taker) {
      this.takenAt = this.puts;
      this.#takeResolve = this.#takeReject = undefined;
      taker(item);
      return;
    }
    if (this.#has) this.dropped++;
    this.#item = item;
    this.#has = true;
  }

  /**
   * Settles at the next put (whether or not an item waits now), wake() or when `signal` aborts; takes nothing. Asked
   * again before it settled, it hands back the same promise (one wait, one abort listener, whatever the calls).
   */
  next(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return SETTLED;
    this.#listen(signal);
    this.#next ??= new Promise<void>(this.#nextExecutor);
    return this.#next;
  }

  /** Settles the wait of `next()` without an item (the taker has something else to look at: a run landed). */
  wake(): void {
    const resolve = this.#nextResolve;
    this.#next = this.#nextResolve = undefined;
    resolve?.();
  }

  /** Rejects once `signal` has aborted, also with an item waiting: a stopped taker takes nothing more. */
  take(signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#has) {
      this.takenAt = this.puts; // the item held is always the last one put
      const item = this.#item as T;
      this.#item = undefined;
      this.#has = false;
      return Promise.resolve(item);
    }
    this.#listen(signal);
    return new Promise<T>(this.#takeExecutor);
  }

  /** One abort listener per signal (the pipeline's, for the lane's life), not one per wait. */
  #listen(signal: AbortSignal): void {
    if (this.#signal === signal) return;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    signal.addEventListener('abort', this.#onAbort, { once: true });
    this.#signal = signal;
  }
}

const SETTLED: Promise<void> = Promise.resolve();
