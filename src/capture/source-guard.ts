import { errorMessage } from '../errors.js';
import type { SourceHealth } from './source.js';

/** What a source tells whoever started it when one of its own callbacks failed. */
export type FaultListener = (reason: string) => void;

/**
 * Contains a driver's own faults. A driver runs the callbacks it schedules — timers, socket, serial and
 * child-process handlers, async read loops — through `wrap`/`setTimeout`/`setInterval`/`watch`, so a throw
 * or a rejected promise there is caught instead of becoming an uncaught exception that ends the daemon.
 * The first fault is kept as the reason, the driver's `stop` is called, every later callback of that run
 * is ignored, `health` reads "failed" with the reason, and whoever started the source (the pipeline,
 * through `start`'s `onFault` option) is told once.
 *
 * This is the first line; the daemon's process-level guard (src/pipeline/fault-guard.ts) catches what a
 * driver did not wrap and blames it on the source through its async context.
 */
export class SourceGuard {
  #fault: string | undefined;
  #listener: FaultListener | undefined;

  constructor(
    private readonly driver: string,
    private readonly stop: () => Promise<void> | void,
  ) {}

  /** The reason of this run's fault, if any. */
  get fault(): string | undefined {
    return this.#fault;
  }

  /** Called by `start`: a new run starts without a fault; `onFault` hears about the next one. */
  arm(onFault: FaultListener | undefined): void {
    this.#fault = undefined;
    this.#listener = onFault;
  }

  /** `fn` with its throws and rejections turned into this source's fault (one argument: no per-call array). */
  wrap<A = void>(where: string, fn: (arg: A) => unknown): (arg: A) => void {
    return (arg: A): void => {
      if (this.#fault !== undefined) return;
      try {
        const r = fn(arg);
        if (r instanceof Promise) r.catch((err: unknown) => this.trip(where, err));
      } catch (err) {
        this.trip(where, err);
      }
    };
  }

  setTimeout(where: string, fn: () => unknown, ms: number): NodeJS.Timeout {
    return setTimeout(this.wrap(where, fn), ms);
  }

  setInterval(where: string, fn: () => unknown, ms: number): NodeJS.Timeout {
    return setInterval(this.wrap(where, fn), ms);
  }

  /** A long-lived promise (an async read loop): its rejection is a fault. */
  watch(where: string, p: Promise<unknown>): Promise<void> {
    return p.then(
      () => undefined,
      (err: unknown) => this.trip(where, err),
    );
  }

  /** Records a fault; the first one wins. Stopping a broken driver may throw too: it is already marked failed. */
  trip(where: string, err: unknown): void {
    if (this.#fault !== undefined) return;
    this.#fault = `The ${this.driver} driver failed in ${where}: ${errorMessage(err)}`;
    try {
      void Promise.resolve(this.stop()).catch(() => {});
    } catch {
      // see above
    }
    try {
      this.#listener?.(this.#fault);
    } catch {
      // a listener's own failure must not turn a contained fault into an uncaught one
    }
  }

  /** The driver's own health with the fault, when there is one, on top. */
  health(h: SourceHealth): SourceHealth {
    return this.#fault === undefined ? h : { ...h, state: 'failed', connected: false, fps: 0, errors: h.errors + 1, lastError: this.#fault };
  }
}
