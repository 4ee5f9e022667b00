import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker.js';
import type { ProviderName } from '../config/schema.js';
import { ErrorCodes, SonoError } from '../errors.js';
import type { ModelFile } from '../models/manifest.js';
import type { ModelPackage } from '../models/package.js';
import type { EngineOutput, InferenceEngine, RunTrace } from './engine.js';
import type { ProviderAttempt, SessionOptions } from './session.js';

/** A run asked for: its promise's own resolve/reject, and its deadline's timer once the run ahead has answered. */
type Pending = { resolve: (v: Record<string, EngineOutput>) => void; reject: (e: Error) => void; slot: 0 | 1; postedAt: number; timer: NodeJS.Timeout | undefined };
type Answer = { type: string; id: number; ms?: number; message?: string; dims?: Record<string, number[]>; startedAt?: number; endedAt?: number };

const wallNow = (): number => performance.timeOrigin + performance.now();
const NOOP = (): void => {};
/** An output's dims before (or without) an answer that names them. */
const NO_DIMS: readonly number[] = Object.freeze([]);

/**
 * Runs one model on a worker thread so the JS thread (capture, WebSocket, HTTP, preprocessing and
 * analysis of the neighbouring frames) keeps going during inference.
 */
export class WorkerEngine implements InferenceEngine {
  readonly inputData: [Float32Array, Float32Array];
  readonly runMs: [number, number] = [0, 0];
  /** Per slot, like runMs: the last run's hand-offs, read when that slot's run has resolved. */
  readonly runTrace: [RunTrace, RunTrace] = [
    { aheadMs: 0, toWorkerMs: 0, workerMs: 0, backMs: 0, previousEndedAt: 0, idleMs: 0 },
    { aheadMs: 0, toWorkerMs: 0, workerMs: 0, backMs: 0, previousEndedAt: 0, idleMs: 0 },
  ];
  /** When the worker ended its last run, answered or failed (wall clock): a run asked for before then waited behind it. */
  #lastEndedAt = 0;
  /**
   * Per slot, the outputs a run on it resolves with: made once, their dims set from each answer. Valid as the
   * output buffers are: until the next run on that slot lands (nothing is allocated per run for them).
   */
  readonly #views: [Record<string, { data: Float32Array; dims: readonly number[] }>, Record<string, { data: Float32Array; dims: readonly number[] }>];
  readonly #pending = new Map<number, Pending>();
  readonly #loops = new Map<number, { resolve: (ms: number) => void; reject: (e: Error) => void }>();
  #next = 0;
  #dead: string | undefined;
  /** The niceness asked for at open was put in force on the worker's thread. */
  niced = false;

  private constructor(
    readonly pkg: ModelPackage,
    readonly provider: ProviderName,
    readonly file: ModelFile,
    readonly attempts: ProviderAttempt[],
    private readonly worker: Worker,
    inputs: [SharedArrayBuffer, SharedArrayBuffer],
    outputs: Record<string, [SharedArrayBuffer, SharedArrayBuffer]>,
  ) {
    this.inputData = [new Float32Array(inputs[0]), new Float32Array(inputs[1])];
    const view = (i: 0 | 1): Record<string, { data: Float32Array; dims: readonly number[] }> =>
      Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { data: new Float32Array(v[i]), dims: NO_DIMS }]));
    this.#views = [view(0), view(1)];
    worker.on('message', (m: Answer) => {
      const loop = this.#loops.get(m.id);
      if (loop) {
        this.#loops.delete(m.id);
        // the loop held the worker: a run asked for during it waited behind it and idles from its end
        this.#lastEndedAt = m.endedAt ?? wallNow();
        if (m.type === 'looped') loop.resolve(m.ms ?? NaN);
        else loop.reject(new Error(m.message ?? 'inference failed'));
        return;
      }
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.type === 'ran') {
        this.runMs[p.slot] = m.ms ?? 0;
        this.#trace(p, m);
        const out = this.#views[p.slot];
        for (const k in out) out[k]!.dims = m.dims?.[k] ?? NO_DIMS;
        p.resolve(out);
      } else {
        // A failed run occupied the worker too: the next run waited behind it and idled from its end.
        this.#lastEndedAt = m.endedAt ?? wallNow();
        p.reject(new Error(m.message ?? 'inference failed'));
      }
    });
    const die = (why: string): void => {
      this.#dead = why;
      for (const p of this.#pending.values()) clearTimeout(p.timer);
      for (const p of [...this.#pending.values(), ...this.#loops.values()]) p.reject(new Error(why));
      this.#pending.clear();
      this.#loops.clear();
    };
    worker.on('error', (err) => die(`Inference worker of "${pkg.manifest.id}" crashed: ${err.message}`));
    worker.on('exit', (code) => die(`Inference worker of "${pkg.manifest.id}" exited (code ${code})`));
  }

  #trace(p: Pending, m: Answer): void {
    const t = this.runTrace[p.slot];
    const started = m.startedAt ?? p.postedAt;
    const ended = m.endedAt ?? started;
    const free = Math.min(started, Math.max(p.postedAt, this.#lastEndedAt));
    t.aheadMs = free - p.postedAt;
    t.toWorkerMs = started - free;
    t.workerMs = Math.max(0, ended - started - (m.ms ?? 0));
    t.backMs = Math.max(0, wallNow() - ended);
    t.previousEndedAt = this.#lastEndedAt;
    t.idleMs = started - this.#lastEndedAt;
    this.#lastEndedAt = ended;
  }

  /** When the worker ended its last run, answered or failed (wall clock, ms since the epoch; 0: none yet). */
  get lastEndedAt(): number {
    return this.#lastEndedAt;
  }

  get id(): string {
    return this.pkg.manifest.id;
  }

  get version(): string {
    return this.pkg.manifest.version;
  }

  /**
   * `placement.niceness`: run this model's worker thread at that niceness (higher: yields to the rest when
   * cores are short; only with one intra-op thread is all of its inference on that thread). Where the OS
   * refuses, it runs at the process's priority and `niced` stays false.
   */
  static async open(pkg: ModelPackage, options: SessionOptions, placement: { niceness?: number } = {}): Promise<WorkerEngine> {
    const shape = pkg.manifest.input.shape;
    const n = shape[1] * shape[2] * shape[3] * 4;
    const inputs: [SharedArrayBuffer, SharedArrayBuffer] = [new SharedArrayBuffer(n), new SharedArrayBuffer(n)];
    const outputs: Record<string, [SharedArrayBuffer, SharedArrayBuffer]> = {};
    for (const o of pkg.manifest.outputs) {
      const size = o.shape.reduce((a, b) => a * b, 1);
      if (!(size > 0)) throw new SonoError(ErrorCodes.MODEL_MANIFEST_INVALID, `Output "${o.name}" of "${pkg.manifest.id}" needs a static shape, got [${o.shape.join(', ')}]`);
      outputs[o.name] = [new SharedArrayBuffer(size * 4), new SharedArrayBuffer(size * 4)];
    }
    const worker = startWorker(import.meta.url, 'session-worker');
    const opened = await new Promise<{ provider: ProviderName; file: ModelFile; attempts: ProviderAttempt[]; niced?: boolean }>((resolve, reject) => {
      worker.once('message', (m: { type: string; message?: string; code?: string; provider: ProviderName; file: ModelFile; attempts: ProviderAttempt[]; niced?: boolean }) => {
        if (m.type === 'opened') resolve(m);
        else reject(new SonoError((m.code as never) ?? ErrorCodes.PROVIDER_NONE_AVAILABLE, m.message ?? 'model failed to open'));
      });
      worker.once('error', reject);
      worker.postMessage({ type: 'open', dir: pkg.dir, id: pkg.manifest.id, options, inputs, outputs, niceness: placement.niceness }); // id: an installed version's folder is named after its version
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    const engine = new WorkerEngine(pkg, opened.provider, opened.file, opened.attempts, worker, inputs, outputs);
    engine.niced = opened.niced === true;
    return engine;
  }

  /**
   * A run that has not answered within `timeoutMs` (a stalled GPU, a hung provider) is failed, never awaited
   * forever. Runs may be asked for before the previous one answered: the worker runs them in order, one at
   * a time, and goes from one to the next without waiting for this thread.
   */
  run(slot: 0 | 1, timeoutMs = 30_000): Promise<Record<string, EngineOutput>> {
    if (this.#dead) return Promise.reject(new Error(this.#dead));
    const id = this.#next++;
    const ahead = this.#tail;
    let pending!: Pending;
    const run = new Promise<Record<string, EngineOutput>>((resolve, reject) => {
      pending = { resolve, reject, slot, postedAt: wallNow(), timer: undefined };
    });
    this.#pending.set(id, pending);
    this.worker.postMessage({ type: 'run', id, slot });
    // The clock starts when the run queued ahead of this one has answered: its time is not this run's.
    void ahead.then(() => {
      if (this.#pending.get(id) !== pending) return;
      pending.timer = setTimeout(() => {
        if (this.#pending.delete(id)) pending.reject(new Error(`Inference of "${this.id}" did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    this.#tail = run.then(NOOP, NOOP);
    return run;
  }

  /**
   * The model's bare speed where it runs: `n` session.run calls back to back inside the worker, with no
   * message or copy between them; resolves with their total time (ms). The baseline the bench holds the
   * pipeline to (a loop on another thread may sit on another, differently loaded, core). It holds the worker
   * for all n runs: for the bench and diagnostics, never while the pipeline is live.
   */
  rawLoop(slot: 0 | 1, n: number, timeoutPerRunMs = 30_000): Promise<number> {
    if (this.#dead) return Promise.reject(new Error(this.#dead));
    if (!Number.isInteger(n) || n < 1) return Promise.reject(new RangeError(`rawLoop needs a whole number of runs ≥ 1, got ${n}`));
    const id = this.#next++;
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#loops.delete(id)) reject(new Error(`${n} runs of "${this.id}" did not finish within ${n * timeoutPerRunMs} ms`));
      }, n * timeoutPerRunMs);
      this.#loops.set(id, {
        resolve: (ms) => {
          clearTimeout(timer);
          resolve(ms);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.worker.postMessage({ type: 'loop', id, slot, n });
    });
    this.#tail = done.then(NOOP, NOOP);
    return done;
  }

  /** Settles when the last run asked for has answered (or failed). */
  #tail: Promise<void> = Promise.resolve();

  async release(): Promise<void> {
    if (this.#dead) return;
    this.worker.postMessage({ type: 'release' });
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000);
      this.worker.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
