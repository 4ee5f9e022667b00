import { FailedSource } from '../capture/failed-source.js';
import type { Frame } from '../capture/frame.js';
import type { SourceScope } from '../capture/source-scope.js';
import type { FrameSource } from '../capture/source.js';
import { ErrorCodes, SonoError, errorMessage } from '../errors.js';
import { withDeadline } from './deadline.js';

/** How long a driver's `start()` and `stop()` may take before the pipeline stops waiting for them. */
export interface SourceDeadlines {
  startMs: number;
  stopMs: number;
}

/** Generous: a USB grabber or ffmpeg on a slow board takes seconds to open; a hung one never answers. */
export const DEFAULT_SOURCE_DEADLINES: SourceDeadlines = { startMs: 20_000, stopMs: 10_000 };

export interface PipelineLog {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SourceHolderOptions {
  /** Sources start inside it, so the daemon's last-resort guard can blame an uncaught error on its source. */
  scope?: SourceScope | undefined;
  log?: PipelineLog | undefined;
  deadlines?: Partial<SourceDeadlines> | undefined;
  /** Told each time a source becomes the current one (started, or switched in). */
  onCurrent?: ((source: FrameSource) => void) | undefined;
}

/**
 * Holds the one source whose frames the pipeline takes, and changes it.
 *
 * Named Inputs: a FrameSource to start or switch to. Named Outputs: its frames, through `deliver`, only
 * while it is the current one. Notes: every wait on a driver is bounded (`deadlines`): a `start()` past
 * its deadline fails the switch with SONO_SOURCE_START_TIMEOUT while the old source keeps running; a
 * `stop()` past its deadline is logged (SONO_SOURCE_STOP_TIMEOUT) and the source is abandoned, its frames
 * ignored. Switches run one at a time, in call order.
 */
export class SourceHolder {
  readonly #deadlines: SourceDeadlines;
  readonly #faulted = new WeakMap<FrameSource, string>();
  #current: FrameSource | undefined;
  #switching: Promise<void> = Promise.resolve();
  faults = 0;
  lastFault: string | undefined;

  constructor(
    private readonly deliver: (frame: Frame) => void,
    private readonly options: SourceHolderOptions = {},
  ) {
    this.#deadlines = { ...DEFAULT_SOURCE_DEADLINES, ...options.deadlines };
  }

  get current(): FrameSource | undefined {
    return this.#current;
  }

  /** The first source: current at once (its health shows "starting"), its frames flow as soon as it sends them. */
  async start(source: FrameSource, signal?: AbortSignal): Promise<void> {
    this.#setCurrent(source);
    try {
      await this.#startBounded(
        source,
        this.#listenerFor(() => this.#current === source),
        signal,
      );
    } catch (err) {
      await this.#stopBounded(source); // whatever it opened before failing
      throw err;
    }
  }

  /** Keeps running with no working source (its failure visible in health) until one is switched in. */
  setFailed(source: FrameSource): void {
    this.#current = source;
  }

  /**
   * Replaces the source. The new one starts first; if it fails or passes its deadline, the old one keeps
   * running and the error is thrown.
   */
  switchTo(source: FrameSource): Promise<void> {
    const run = this.#switching.then(() => this.#switch(source));
    this.#switching = run.catch(() => {});
    return run;
  }

  /**
   * A running source failed (its driver reported a fault, or the last-resort guard blamed an uncaught error
   * on it): it is stopped, counted and logged, and stands as failed until another source is switched in.
   */
  failed(source: FrameSource, reason: string): void {
    if (this.#faulted.has(source)) return;
    this.#faulted.set(source, reason);
    this.faults++;
    this.lastFault = reason;
    this.options.log?.error({ driver: source.driver, source: source.id, reason }, `source failed: ${reason}`);
    let before: ReturnType<FrameSource['health']> | undefined;
    try {
      before = source.health();
    } catch {
      before = undefined;
    }
    void this.#stopBounded(source);
    if (this.#current === source) this.#current = new FailedSource(source.id, source.driver, reason, before);
  }

  /** Stops the current source, within its deadline. */
  async stop(): Promise<void> {
    const s = this.#current;
    if (s) await this.#stopBounded(s);
  }

  async #switch(source: FrameSource): Promise<void> {
    const old = this.#current;
    let live = false;
    try {
      await this.#startBounded(
        source,
        this.#listenerFor(() => live && this.#current === source),
      );
    } catch (err) {
      await this.#stopBounded(source); // whatever it opened before failing
      throw err;
    }
    const fault = this.#faulted.get(source);
    if (fault !== undefined) throw new SonoError(ErrorCodes.SOURCE_FAILED, fault);
    // From here frames of the new source flow; the old one is stopped (or abandoned past its deadline).
    if (old) await this.#stopBounded(old);
    this.#setCurrent(source);
    live = true;
  }

  #setCurrent(source: FrameSource): void {
    this.#current = source;
    this.options.onCurrent?.(source);
  }

  /** The listener a source gets: frames leave the source's scope before the pipeline handles them. */
  #listenerFor(accept: () => boolean): (f: Frame) => void {
    const scope = this.options.scope;
    const deliver = this.deliver;
    if (!scope) return (f) => accept() && deliver(f);
    return (f) => accept() && scope.outside(deliver, f);
  }

  /** Starts `source` inside its scope with its faults reported here; rejects once the deadline passes. */
  #startBounded(source: FrameSource, listener: (f: Frame) => void, outer?: AbortSignal): Promise<void> {
    const own = new AbortController();
    const signal = outer ? AbortSignal.any([outer, own.signal]) : own.signal;
    const onFault = (reason: string): void => this.failed(source, reason);
    const go = (): Promise<void> => source.start(listener, { signal, onFault });
    const started = this.options.scope ? this.options.scope.run(source, go) : go();
    const ms = this.#deadlines.startMs;
    return withDeadline(started, ms, () => {
      const err = new SonoError(
        ErrorCodes.SOURCE_START_TIMEOUT,
        `Source "${source.driver}" (${source.id}) did not start within ${ms / 1000} s; check that the device is connected and answering, then try again`,
      );
      own.abort(err); // a driver that honours its signal gives up; one that does not is stopped below
      return err;
    });
  }

  /** Never throws: a source that fails or hangs while stopping is logged and left behind. */
  async #stopBounded(source: FrameSource): Promise<void> {
    const ms = this.#deadlines.stopMs;
    try {
      await withDeadline(
        Promise.resolve().then(() => source.stop()),
        ms,
        () =>
          new SonoError(
            ErrorCodes.SOURCE_STOP_TIMEOUT,
            `Source "${source.driver}" (${source.id}) did not stop within ${ms / 1000} s; it is abandoned and its frames are ignored (restart the daemon if the device stays busy)`,
          ),
      );
    } catch (err) {
      const code = err instanceof SonoError ? err.code : ErrorCodes.SOURCE_FAILED;
      this.options.log?.warn({ code, driver: source.driver, source: source.id, err: errorMessage(err) }, errorMessage(err));
    }
  }
}
