import type { SourceGuard } from './source-guard.js';

/**
 * Retries a lost connection after a delay that doubles up to a ceiling and starts again from the first
 * delay once frames flow. One pending retry at a time; the retry runs inside the driver's guard.
 */
export class ReconnectBackoff {
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly guard: SourceGuard,
  ) {
    this.#delayMs = initialMs;
  }

  /** The delay the next retry will wait. */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** Runs `retry` after the current delay (replacing a pending one) and doubles the delay for the next time. */
  schedule(retry: () => void): void {
    clearTimeout(this.#timer);
    this.#timer = this.guard.setTimeout('reconnecting', retry, this.#delayMs);
    this.#delayMs = Math.min(this.maxMs, this.#delayMs * 2);
  }

  /** The connection works again: the next loss waits the first delay. */
  reset(): void {
    this.#delayMs = this.initialMs;
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
