/**
 * Latest-frame-wins mailbox: holds at most one item. A put over an untaken item replaces it and counts a
 * drop, so memory stays bounded whatever the input rate. `take` waits for the next item or the signal.
 */
export class LatestSlot<T> {
  #item: T | undefined;
  #has = false;
  #waiter: ((item: T) => void) | undefined;
  #next: { promise: Promise<void>; resolve: () => void } | undefined;
  dropped = 0;
  /** Items put so far; `takenAt` is the number (1-based, in put order) of the last item taken. */
  puts = 0;
  takenAt = 0;

  /** True when an item is waiting to be taken. */
  get hasItem(): boolean {
    return this.#has;
  }

  put(item: T): void {
    this.puts++;
    this.#next?.resolve();
    if (this.#waiter) {
      this.takenAt = this.puts;
      const w = this.#waiter;
      this.#waiter = undefined;
      w(item);
      return;
    }
    if (this.#has) this.dropped++;
    this.#item = item;
    this.#has = true;
  }

  /**
   * Settles at the next put (whether or not an item waits now) or when `signal` aborts; takes nothing. Asked
   * again before it settled, it hands back the same promise (one wait, one abort listener, whatever the calls).
   */
  next(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    if (this.#next) return this.#next.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    const done = (): void => {
      signal.removeEventListener('abort', done);
      if (this.#next?.promise === promise) this.#next = undefined;
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    this.#next = { promise, resolve: done };
    return promise;
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
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiter = undefined;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiter = (item) => {
        signal.removeEventListener('abort', onAbort);
        resolve(item);
      };
    });
  }
}
