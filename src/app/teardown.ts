import { errorMessage } from '../errors.js';

export interface TeardownLog {
  warn(obj: object, msg?: string): void;
}

interface Step {
  name: string;
  run: () => unknown;
  timeoutMs: number;
}

/** A step that hangs past this is abandoned: shutdown must end (systemd kills a stop that never ends). */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
/**
 * All steps together: below the unit's TimeoutStopSec (15 s, systemd/sonoedge.service), so a stop that runs
 * long still ends with our own log line and exit code, not with systemd's SIGKILL.
 */
export const DEFAULT_TOTAL_TIMEOUT_MS = 12_000;

/**
 * The daemon's one teardown list. Each service, once started, pushes the step that undoes it; `run()`
 * undoes them last-in first-out, so the error path of a start-up that failed halfway and `close()` run
 * the same steps in the same order. Each step is bounded by its timeout; a step that throws or times out
 * is logged and the next one runs. `run()` never throws and runs the steps once.
 */
export class Teardown {
  readonly #steps: Step[] = [];
  #ran: Promise<void> | undefined;

  constructor(
    private readonly log: TeardownLog,
    private readonly totalTimeoutMs = DEFAULT_TOTAL_TIMEOUT_MS,
  ) {}

  push(name: string, run: () => unknown, timeoutMs = DEFAULT_STEP_TIMEOUT_MS): void {
    this.#steps.push({ name, run, timeoutMs });
  }

  /** Runs the steps; resolves by the overall deadline at the latest, abandoning the step in flight and those after it. */
  run(): Promise<void> {
    this.#ran ??= this.#runWithDeadline();
    return this.#ran;
  }

  async #runWithDeadline(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        expired = true;
        const left = this.#steps.map((s) => s.name).reverse();
        this.log.warn(
          { totalTimeoutMs: this.totalTimeoutMs, abandoned: left },
          `Shutdown did not finish within ${this.totalTimeoutMs / 1000} s; the step in flight and ${left.length} more were abandoned (${left.join(', ') || 'none'})`,
        );
        resolve();
      }, this.totalTimeoutMs);
    });
    try {
      await Promise.race([this.#runAll(() => expired), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #runAll(expired: () => boolean): Promise<void> {
    for (let step = this.#steps.pop(); step && !expired(); step = this.#steps.pop()) {
      const s = step;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(s.run),
          new Promise((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`Shutdown step "${s.name}" did not finish within ${s.timeoutMs / 1000} s; it was abandoned`)), s.timeoutMs);
          }),
        ]);
      } catch (err) {
        this.log.warn({ step: s.name, err: errorMessage(err) }, `Shutdown step "${s.name}" failed, continuing: ${errorMessage(err)}`);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
