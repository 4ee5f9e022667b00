import type { SourceGuard } from './source-guard.js';
import { RateMeter } from './rate-meter.js';
import type { SourceHealth } from './source.js';

/**
 * The health fields every driver keeps: its state, the frames it has delivered (which are also its next
 * sequence number), its error count and last error, and its frame rate. The driver sets `state` and calls
 * `nextFrame` for each frame and `error` for each problem; `health` folds in the guard's fault, if any.
 */
export class SourceStatus {
  state: SourceHealth['state'] = 'stopped';
  #frames = 0;
  #errors = 0;
  #lastError: string | undefined;
  readonly #rate = new RateMeter();

  constructor(
    private readonly driver: string,
    private readonly guard: SourceGuard,
  ) {}

  /** Sequence number and capture time of the frame about to be delivered; counts it and its rate. */
  nextFrame(): { seq: number; timestampMs: number } {
    const timestampMs = performance.now();
    this.#rate.tick(timestampMs);
    return { seq: this.#frames++, timestampMs };
  }

  /** Counts a problem and keeps its message as the last error; `state` moves with it when given. */
  error(message: string, state?: SourceHealth['state']): void {
    this.#errors++;
    this.#lastError = message;
    if (state) this.state = state;
  }

  /** Keeps a message as the last error without counting it (a socket error its close will count). */
  note(message: string): void {
    this.#lastError = message;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** `extraErrors`: problems the driver counts elsewhere (a protocol parser's CRC errors, resyncs). */
  health(extraErrors = 0): SourceHealth {
    return this.guard.health({
      driver: this.driver,
      state: this.state,
      connected: this.state === 'running',
      fps: this.#rate.fps(),
      framesDelivered: this.#frames,
      errors: this.#errors + extraErrors,
      lastError: this.#lastError,
    });
  }
}
