import type { ClinicalContext } from '../analysis/fetal-head.js';
import { FailedSource } from '../capture/failed-source.js';
import { type Frame, frameProblem } from '../capture/frame.js';
import type { SourceScope } from '../capture/source-scope.js';
import type { FrameSource } from '../capture/source.js';
import { errorMessage } from '../errors.js';
import type { Bus } from './bus.js';
import { LatestSlot } from './latest-slot.js';
import type { ModelRunner, RawOutputs, Slot } from './model-runner.js';

/** `elapsedMs`: launch → outcome on this thread; `inferenceMs`: the run alone, timed where it ran. */
type Outcome = { raw: RawOutputs; elapsedMs: number; inferenceMs: number } | { error: unknown; elapsedMs: number; inferenceMs: number };

/** A model run in flight: what is needed to analyse and publish it when it lands. */
interface Job {
  runner: ModelRunner;
  slot: Slot;
  seq: number;
  sourceId: string;
  frameTimestampMs: number;
  queueMs: number;
  preprocessMs: number;
  ctx: ClinicalContext;
  outcome: Promise<Outcome>;
}

export interface ScheduledModel {
  runner: ModelRunner;
  /** run on every Nth frame (by sequence distance from the last frame this model ran on) */
  everyN: number;
  /** false: loaded but not run until setModelEnabled (a display option nobody is looking at); default true */
  enabled?: boolean;
}

export interface PipelineStats {
  framesIn: number;
  framesTaken: number;
  framesDropped: number;
  errors: number;
  lastError: string | undefined;
  /** Frames refused at the entrance (wrong size, data length, spacing…): never shown, never analysed. */
  framesRejected: number;
  lastRejected: string | undefined;
  /** Sources that failed while running (a fault in their driver) and were stopped. */
  sourceFaults: number;
  lastSourceFault: string | undefined;
  models: Record<string, { runs: number; errors: number }>;
}

/** A calibration in force: the spacing, and the frame size it was made on (other sizes keep their own). */
export interface SpacingOverride {
  pixelSpacing: NonNullable<Frame['pixelSpacing']>;
  frame?: { width: number; height: number } | undefined;
}

export interface PipelineOptions {
  /** Clinical context of the exam in progress (dating GA…), read for every result. */
  context?: () => ClinicalContext;
  log?: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  /** Sources start inside it, so the daemon's last-resort guard can blame an uncaught error on its source. */
  scope?: SourceScope;
  /** The stored calibration of a source (driver + id), put in force whenever that source starts. */
  calibrationFor?: (source: FrameSource) => SpacingOverride | undefined;
}

/**
 * Source → latest-frame slot → models at their cadence → bus. Frames go to the bus at the source rate
 * (for the live view); inference takes only the newest frame, dropping the rest (counted).
 */
export class Pipeline {
  readonly #slot = new LatestSlot<Frame>();
  readonly #models: ScheduledModel[];
  readonly #lastSeq = new Map<string, number>();
  readonly #stats: PipelineStats;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #source: FrameSource | undefined;

  constructor(
    readonly bus: Bus,
    models: ScheduledModel[],
    private readonly options: PipelineOptions = {},
  ) {
    this.#models = models;
    for (const m of models) if (m.enabled === false) this.#disabled.add(m.runner.id);
    this.#stats = { framesIn: 0, framesTaken: 0, framesDropped: 0, errors: 0, lastError: undefined, framesRejected: 0, lastRejected: undefined, sourceFaults: 0, lastSourceFault: undefined, models: Object.fromEntries(models.map((m) => [m.runner.id, { runs: 0, errors: 0 }])) };
  }

  get source(): FrameSource | undefined {
    return this.#source;
  }

  #frozen = false;
  readonly #disabled = new Set<string>();

  /** Runs or stops running one model (e.g. the enhancer while at least one viewer has it switched on). */
  setModelEnabled(id: string, enabled: boolean): void {
    if (enabled) this.#disabled.delete(id);
    else this.#disabled.add(id);
  }

  #spacing: SpacingOverride | undefined;
  #lastWidth = 0;
  #lastHeight = 0;
  #lastLogged: string | undefined;
  /** Sources that reported a fault, with the reason (a switch to one that faults while starting fails). */
  readonly #faulted = new WeakMap<FrameSource, string>();

  /**
   * A calibration made by the clinician (e.g. two points on a ruler) overrides the source's spacing on
   * frames of the size it was made on; frames of another size (the grabber's resolution changed) keep the
   * source's own spacing rather than a wrong one.
   */
  setSpacingOverride(override: SpacingOverride | undefined): void {
    this.#spacing = override;
  }

  get spacingOverride(): SpacingOverride | undefined {
    return this.#spacing;
  }

  /** Size of the last frame that entered, if any (what a calibration made now is made on). */
  lastFrameSize(): { width: number; height: number } | undefined {
    return this.#lastWidth > 0 ? { width: this.#lastWidth, height: this.#lastHeight } : undefined;
  }

  /** A frozen probe freezes the view: frames are counted but neither shown nor analysed until unfrozen. */
  setFrozen(frozen: boolean): void {
    this.#frozen = frozen;
  }

  /**
   * Accepts a frame from the source; cheap and synchronous. A malformed frame is counted and refused here,
   * with its reason, before the view or a model sees it; nothing thrown here reaches the driver.
   */
  readonly push = (frame: Frame): void => {
    this.#stats.framesIn++;
    try {
      const problem = frameProblem(frame);
      if (problem !== undefined) return this.#reject(frame, problem);
      this.#lastWidth = frame.width;
      this.#lastHeight = frame.height;
      if (this.#frozen) return;
      const o = this.#spacing;
      if (o && (!o.frame || (o.frame.width === frame.width && o.frame.height === frame.height))) frame.pixelSpacing = o.pixelSpacing;
      this.bus.publish('frame', frame);
      this.#slot.put(frame);
    } catch (err) {
      this.#stats.errors++;
      this.#stats.lastError = `frame ${String(frame?.seq)}: ${errorMessage(err)}`;
    }
  };

  #reject(frame: Frame, problem: string): void {
    this.#stats.framesRejected++;
    this.#stats.lastRejected = `Frame ${String(frame.seq)} from ${this.#source?.driver ?? 'the source'} refused: ${problem}`;
    // One line per kind of problem, not one per frame: a broken stream must not flood the log.
    if (problem !== this.#lastLogged) {
      this.#lastLogged = problem;
      this.options.log?.warn({ source: this.#source?.driver, problem }, this.#stats.lastRejected);
    }
  }

  /** The listener a source gets: frames leave the source's scope before the pipeline handles them. */
  #listenerFor(accept: () => boolean): (f: Frame) => void {
    const scope = this.options.scope;
    const push = this.push;
    if (!scope) return (f) => accept() && push(f);
    return (f) => accept() && scope.outside(push, f);
  }

  /** Starts `source` inside its scope, with its faults reported to `sourceFailed`. */
  #startSource(source: FrameSource, listener: (f: Frame) => void, signal?: AbortSignal): Promise<void> {
    const onFault = (reason: string): void => this.sourceFailed(source, reason);
    const go = (): Promise<void> => source.start(listener, { ...(signal ? { signal } : {}), onFault });
    return this.options.scope ? this.options.scope.run(source, go) : go();
  }

  #applyCalibration(source: FrameSource): void {
    if (this.options.calibrationFor) this.#spacing = this.options.calibrationFor(source);
  }

  async start(source: FrameSource): Promise<void> {
    this.#abort = new AbortController();
    const signal = this.#abort.signal;
    this.#loop = this.#run(signal);
    this.#source = source;
    this.#applyCalibration(source);
    await this.#startSource(source, this.#listenerFor(() => this.#source === source), signal);
  }

  /**
   * A running source failed (its driver reported a fault, or the daemon's last-resort guard blamed an
   * uncaught error on it): it is stopped, counted and logged, and health shows it failed with the reason
   * until another source is switched in. The daemon keeps serving.
   */
  sourceFailed(source: FrameSource, reason: string): void {
    if (this.#faulted.has(source)) return;
    this.#faulted.set(source, reason);
    this.#stats.sourceFaults++;
    this.#stats.lastSourceFault = reason;
    this.options.log?.error({ driver: source.driver, source: source.id, reason }, `source failed: ${reason}`);
    let before: ReturnType<FrameSource['health']> | undefined;
    try {
      before = source.health();
    } catch {
      before = undefined;
    }
    try {
      void source.stop().catch(() => {});
    } catch {
      // a broken driver may fail to stop too; its frames are no longer accepted (see #listenerFor)
    }
    if (this.#source === source) this.#source = new FailedSource(source.id, source.driver, reason, before);
  }

  /** Keeps running with no working source (its failure visible in health) until one is switched in. */
  setFailedSource(source: FrameSource): void {
    this.#source = source;
  }

  /**
   * Replaces the source without stopping inference (no restart needed). The new source starts first; if it
   * fails, the old one keeps running and the error is thrown. Switches run one at a time, in call order: the
   * System screen, an edited config file and USB hotplug may ask at once.
   */
  switchSource(source: FrameSource): Promise<void> {
    const run = this.#switching.then(() => this.#switch(source));
    this.#switching = run.catch(() => {});
    return run;
  }

  #switching: Promise<void> = Promise.resolve();

  async #switch(source: FrameSource): Promise<void> {
    const old = this.#source;
    let started = false;
    try {
      await this.#startSource(source, this.#listenerFor(() => started && this.#source === source));
    } catch (err) {
      await source.stop().catch(() => {}); // whatever it opened before failing
      throw err;
    }
    const fault = this.#faulted.get(source);
    if (fault !== undefined) throw new Error(fault);
    // From here frames of the new source flow; the old one is stopped.
    await old?.stop();
    this.#lastSeq.clear();
    this.#source = source;
    this.#applyCalibration(source);
    started = true;
  }

  async stop(): Promise<void> {
    await this.#source?.stop();
    this.#abort?.abort(new Error('Pipeline stopped'));
    await this.#loop?.catch(() => {});
  }

  stats(): PipelineStats {
    return { ...this.#stats, framesDropped: this.#slot.dropped, models: structuredClone(this.#stats.models) };
  }

  /**
   * The loop overlaps work across frames: while model M runs on frame N (on its worker thread), the JS thread
   * analyses and publishes the previous run; with frames queued, frame N+1 is prepared into the other input
   * buffer meanwhile and its run is queued behind N's on the same worker. When no frame is waiting, a run in
   * flight is finished at once (lowest latency).
   */
  async #run(signal: AbortSignal): Promise<void> {
    const due: ScheduledModel[] = [];
    const pre: number[] = [];
    let slot: Slot = 0;
    let inflight: Job | undefined;
    while (!signal.aborted) {
      if (inflight && !this.#slot.hasItem) {
        this.#complete(inflight, await inflight.outcome);
        inflight = undefined;
      }
      let frame: Frame;
      try {
        frame = await this.#slot.take(signal);
      } catch {
        break;
      }
      const tTaken = performance.now();
      this.#stats.framesTaken++;
      due.length = 0;
      pre.length = 0;
      for (const m of this.#models) {
        if (this.#disabled.has(m.runner.id)) continue;
        const last = this.#lastSeq.get(m.runner.id);
        if (last === undefined || frame.seq < last || frame.seq - last >= m.everyN) due.push(m);
      }
      if (due.length === 0) continue;
      // The other buffer from the run still in flight (the only one not yet analysed): flipping blindly would
      // land on its buffer after a frame whose preparation failed and launched nothing.
      slot = inflight ? (inflight.slot === 0 ? 1 : 0) : slot === 0 ? 1 : 0;
      // Prepare every due model now, while the frame's buffer is guaranteed valid; a model whose
      // preparation failed is not launched on a half-written buffer.
      for (let i = 0; i < due.length; i++) {
        const m = due[i]!;
        const t = performance.now();
        try {
          m.runner.prepare(frame, slot);
          pre.push(performance.now() - t);
        } catch (err) {
          this.#fail(m.runner.id, err);
          due.splice(i--, 1);
        }
      }
      const ctx = this.options.context?.() ?? {};
      for (let i = 0; i < due.length; i++) {
        const m = due[i]!;
        this.#lastSeq.set(m.runner.id, frame.seq);
        const previous = inflight;
        // Same model: this run is queued behind the one in flight (on the other buffer), so the worker goes
        // straight from one to the next. Another model (its own worker) starts only once the previous has
        // finished, so models take turns on the cores rather than running side by side.
        const previousOutcome = previous && previous.runner !== m.runner ? await previous.outcome : undefined;
        inflight = this.#launch(m.runner, slot, frame, tTaken, pre[i]!, ctx);
        if (previous) this.#complete(previous, previousOutcome ?? (await previous.outcome));
      }
    }
    if (inflight) await inflight.outcome;
  }

  #launch(runner: ModelRunner, slot: Slot, frame: Frame, tTaken: number, preprocessMs: number, ctx: ClinicalContext): Job {
    const tStart = performance.now();
    const outcome = Promise.resolve().then(() => runner.run(slot)).then(
      (raw) => ({ raw, elapsedMs: performance.now() - tStart, inferenceMs: runner.session.runMs[slot] }),
      (error: unknown) => ({ error, elapsedMs: performance.now() - tStart, inferenceMs: 0 }),
    );
    return { runner, slot, seq: frame.seq, sourceId: frame.sourceId, frameTimestampMs: frame.timestampMs, queueMs: tTaken - frame.timestampMs, preprocessMs, ctx, outcome };
  }

  #complete(job: Job, outcome: Outcome): void {
    const id = job.runner.id;
    if ('error' in outcome) return this.#fail(id, outcome.error);
    try {
      const t = performance.now();
      const result = job.runner.analyze(outcome.raw, job.slot, job.ctx);
      const analysisMs = performance.now() - t;
      this.#stats.models[id]!.runs++;
      const s = job.runner.session;
      this.bus.publish('result', {
        type: 'result',
        seq: job.seq,
        sourceId: job.sourceId,
        frameTimestampMs: job.frameTimestampMs,
        modelId: s.id,
        modelVersion: s.version,
        provider: s.provider,
        timings: { queueMs: job.queueMs, preprocessMs: job.preprocessMs, handoffMs: Math.max(0, outcome.elapsedMs - outcome.inferenceMs), inferenceMs: outcome.inferenceMs, analysisMs, totalMs: performance.now() - job.frameTimestampMs },
        result,
      });
    } catch (err) {
      this.#fail(id, err);
    }
  }

  #fail(modelId: string, err: unknown): void {
    this.#stats.errors++;
    this.#stats.lastError = `${modelId}: ${errorMessage(err)}`;
    const m = this.#stats.models[modelId];
    if (m) m.errors++;
    this.options.log?.warn({ model: modelId, err: errorMessage(err) }, 'model run failed');
  }
}
