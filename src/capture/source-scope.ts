import { AsyncLocalStorage } from 'node:async_hooks';
import type { FrameSource } from './source.js';

/**
 * Knows which source a callback belongs to. The pipeline starts every source inside `run`, so each timer,
 * socket, child process and promise the driver creates from there carries that source in its async
 * context; the daemon's last-resort guard asks `current()` to blame an uncaught exception or an unhandled
 * rejection on the right source. Frames leave the scope (`outside`) before the pipeline handles them, so a
 * fault downstream of a driver (the live socket, the bus) is never blamed on it.
 */
export class SourceScope {
  readonly #als = new AsyncLocalStorage<FrameSource | undefined>();

  run<T>(source: FrameSource, fn: () => T): T {
    return this.#als.run(source, fn);
  }

  current(): FrameSource | undefined {
    return this.#als.getStore();
  }

  /** Calls `fn(arg)` with no source in scope (what it schedules belongs to no source). */
  outside<A>(fn: (arg: A) => void, arg: A): void {
    this.#als.run(undefined, fn, arg);
  }
}
