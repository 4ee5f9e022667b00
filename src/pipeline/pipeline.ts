import type { ClinicalContext } from '../analysis/fetal-head.js';
import type { Frame } from '../capture/frame.js';
import type { FrameSource } from '../capture/source.js';
import { errorMessage } from '../errors.js';
import type { Bus } from './bus.js';
import { LatestSlot } from './latest-slot.js';
import type { ModelRunner, RawOutputs, Slot } from './model-runner.js';

type Outcome = { raw: RawOutputs; inferenceMs: number } | { error: unknown; inferenceMs: number };

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
}

export interface PipelineStats {
  framesIn: number;
  framesTaken: number;
  framesDropped: number;
  errors: number;
  lastError: string | undefined;
  models: Record<string, { runs: number; errors: number }>;
}

export interface PipelineOptions {
  /** Clinical context of the exam in progress (dating GA…), read for every result. */
  context?: () => ClinicalContext;
  log?: { warn(obj: object, msg?: string): void };
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
    this.#stats = { framesIn: 0, framesTaken: 0, framesDropped: 0, errors: 0, lastError: undefined, models: Object.fromEntries(models.map((m) => [m.runner.id, { runs: 0, errors: 0 }])) };
  }

  get source(): FrameSource | undefined {
    return this.#source;
  }

  #frozen = false;
  #spacing: Frame['pixelSpacing'] = undefined;

  /** A calibration made by the clinician (e.g. two points on a ruler) overrides the source's spacing. */
  setSpacingOverride(spacing: Frame['pixelSpacing']): void {
    this.#spacing = spacing;
  }

  get spacingOverride(): Frame['pixelSpacing'] {
    return this.#spacing;
  }

  /** A frozen probe freezes the view: frames are counted but neither shown nor analysed until unfrozen. */
  setFrozen(frozen: boolean): void {
    this.#frozen = frozen;
  }

  /** Accepts a frame from the source; cheap and synchronous. */
  readonly push = (frame: Frame): void => {
    this.#stats.framesIn++;
    if (this.#frozen) return;
    if (this.#spacing) frame.pixelSpacing = this.#spacing;
    this.bus.publish('frame', frame);
    this.#slot.put(frame);
  };

  async start(source: FrameSource): Promise<void> {
    this.#abort = new AbortController();
    const signal = this.#abort.signal;
    this.#loop = this.#run(signal);
    this.#source = source;
    await source.start(this.push, { signal });
  }

  /** Keeps running with no working source (its failure visible in health) until one is switched in. */
  setFailedSource(source: FrameSource): void {
    this.#source = source;
  }

  /**
   * Replaces the source without stopping inference (no restart needed). The new source starts first; if it
   * fails, the old one keeps running and the error is thrown.
   */
  async switchSource(source: FrameSource): Promise<void> {
    const old = this.#source;
    let started = false;
    await source.start((f) => {
      if (started) this.push(f);
    });
    // From here frames of the new source flow; the old one is stopped.
    await old?.stop();
    this.#lastSeq.clear();
    this.#source = source;
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
   * buffer meanwhile. When no frame is waiting, a run in flight is finished at once (lowest latency).
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
        const last = this.#lastSeq.get(m.runner.id);
        if (last === undefined || frame.seq < last || frame.seq - last >= m.everyN) due.push(m);
      }
      if (due.length === 0) continue;
      slot = slot === 0 ? 1 : 0;
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
        const previousOutcome = previous ? await previous.outcome : undefined;
        inflight = this.#launch(m.runner, slot, frame, tTaken, pre[i]!, ctx);
        if (previous) this.#complete(previous, previousOutcome!);
      }
    }
    if (inflight) await inflight.outcome;
  }

  #launch(runner: ModelRunner, slot: Slot, frame: Frame, tTaken: number, preprocessMs: number, ctx: ClinicalContext): Job {
    const tStart = performance.now();
    const outcome = Promise.resolve().then(() => runner.run(slot)).then(
      (raw) => ({ raw, inferenceMs: performance.now() - tStart }),
      (error: unknown) => ({ error, inferenceMs: performance.now() - tStart }),
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
        timings: { queueMs: job.queueMs, preprocessMs: job.preprocessMs, inferenceMs: outcome.inferenceMs, analysisMs, totalMs: performance.now() - job.frameTimestampMs },
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
