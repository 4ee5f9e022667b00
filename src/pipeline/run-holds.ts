/**
 * Counts the runs of each model runner that are prepared or in flight, so that a replaced runner's session
 * is handed back only once nothing uses it (a model update must not release a session under a running run).
 */
export class RunHolds<K> {
  readonly #count = new Map<K, number>();
  readonly #waiters = new Map<K, Array<() => void>>();

  hold(key: K): void {
    this.#count.set(key, (this.#count.get(key) ?? 0) + 1);
  }

  release(key: K): void {
    const n = (this.#count.get(key) ?? 1) - 1;
    if (n > 0) return void this.#count.set(key, n);
    this.#count.delete(key);
    for (const w of this.#waiters.get(key) ?? []) w();
    this.#waiters.delete(key);
  }

  /** Resolves once `key` has no run prepared or in flight (at once if it has none). */
  idle(key: K): Promise<void> {
    if (!this.#count.has(key)) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.set(key, [...(this.#waiters.get(key) ?? []), resolve]));
  }
}
