/**
 * Builds the exams closing queued (src/sync/exam-build.ts), one at a time, in the sync process (nice 19):
 * woken when an exam is closed, and every `pollMs` for builds waiting on a retry or left by a process that
 * stopped. Each exam built wakes the senders and the OCR gate (its images wait for the gate).
 */
import { errorMessage } from '../errors.js';
import type { Db } from '../records/database.js';
import { buildNextExam } from './exam-build.js';

export interface BuildLoopSettings {
  pollMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export class ExamBuildLoop {
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #poked = false;

  constructor(
    private readonly db: Db,
    private readonly secret: string,
    private readonly s: BuildLoopSettings,
    private readonly onBuilt: () => void,
    private readonly log: { warn(o: object, m?: string): void; info(o: object, m?: string): void } = { warn() {}, info() {} },
    /** Awaited before each build: a build blocks this event loop for seconds (the OCR gate's idle(), whose tesseract deadlines it would eat). */
    private readonly beforeBuild: () => Promise<void> = () => Promise.resolve(),
    /** Called when the build pass that beforeBuild opened is over (built, failed, or nothing due). */
    private readonly afterBuild: () => void = () => {},
  ) {}

  start(): void {
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal);
  }

  /** An exam was closed: build now rather than at the next poll. */
  poke(): void {
    this.#poked = true;
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
  }

  #delay = (attempts: number): number => Math.min(this.s.retryMaxMs, this.s.retryInitialMs * 2 ** Math.max(0, attempts - 1));

  async #run(signal: AbortSignal): Promise<void> {
    // not within start(): the process sets up its IPC handlers and says its status first
    await new Promise((resolve) => setImmediate(resolve));
    while (!signal.aborted) {
      this.#poked = false;
      await this.beforeBuild();
      if (signal.aborted) break;
      try {
        let r: ReturnType<typeof buildNextExam>;
        try {
          r = buildNextExam(this.db, this.secret, this.#delay);
        } finally {
          this.afterBuild();
        }
        if (r) {
          if (r.outcome === 'built') {
            this.log.info({ examId: r.examId, instances: r.instances }, 'exam DICOM built and queued');
            this.onBuilt();
          } else this.log.warn({ examId: r.examId, err: r.error }, r.outcome === 'failed' ? 'exam DICOM could not be built; not sent' : 'exam DICOM build failed; trying again');
          // the next exam at once, after letting IPC (a stop, a poke) and the senders in
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
      } catch (err) {
        // a database error outside the build (the commit): the rows stand, a later pass builds again
        this.log.warn({ err: errorMessage(err) }, 'exam build pass failed; trying again');
      }
      if (this.#poked) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, this.s.pollMs);
        this.#wake = done;
        function done(): void {
          clearTimeout(t);
          resolve();
        }
      });
      this.#wake = undefined;
    }
  }
}
