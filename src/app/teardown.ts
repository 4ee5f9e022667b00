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
 * The daemon's one teardown list. Each service, once started, pushes the step that undoes it; `run()`
 * undoes them last-in first-out, so the error path of a start-up that failed halfway and `close()` run
 * the same steps in the same order. Each step is bounded by its timeout; a step that throws or times out
 * is logged and the next one runs. `run()` never throws and runs the steps once.
 */
export class Teardown {
  readonly #steps: Step[] = [];
  #ran: Promise<void> | undefined;

  constructor(private readonly log: TeardownLog) {}

  push(name: string, run: () => unknown, timeoutMs = DEFAULT_STEP_TIMEOUT_MS): void {
    this.#steps.push({ name, run, timeoutMs });
  }

  run(): Promise<void> {
    this.#ran ??= this.#runAll();
    return this.#ran;
  }

  async #runAll(): Promise<void> {
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
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
