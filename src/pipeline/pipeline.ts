import type { ClinicalContext } from '../analysis/fetal-head.js';
import type { Frame } from '../capture/frame.js';
import type { FrameSource } from '../capture/source.js';
import { errorMessage } from '../errors.js';
import type { Bus } from './bus.js';
import { LatestSlot } from './latest-slot.js';
import type { ModelRunner } from './model-runner.js';

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

  /** Accepts a frame from the source; cheap and synchronous. */
  readonly push = (frame: Frame): void => {
    this.#stats.framesIn++;
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

  /** Replaces the source without stopping inference (no restart needed). */
  async switchSource(source: FrameSource): Promise<void> {
    const old = this.#source;
    this.#source = undefined;
    await old?.stop();
    this.#lastSeq.clear();
    this.#source = source;
    await source.start(this.push);
  }

  async stop(): Promise<void> {
    await this.#source?.stop();
    this.#abort?.abort(new Error('Pipeline stopped'));
    await this.#loop?.catch(() => {});
  }

  stats(): PipelineStats {
    return { ...this.#stats, framesDropped: this.#slot.dropped, models: structuredClone(this.#stats.models) };
  }

  async #run(signal: AbortSignal): Promise<void> {
    const due: ScheduledModel[] = [];
    while (!signal.aborted) {
      let frame: Frame;
      try {
        frame = await this.#slot.take(signal);
      } catch {
        return;
      }
      const tTaken = performance.now();
      this.#stats.framesTaken++;
      due.length = 0;
      for (const m of this.#models) {
        const last = this.#lastSeq.get(m.runner.id);
        if (last === undefined || frame.seq < last || frame.seq - last >= m.everyN) due.push(m);
      }
      // Prepare every due model now, while the frame's buffer is guaranteed valid.
      const pre: number[] = [];
      for (const m of due) {
        const t = performance.now();
        try {
          m.runner.prepare(frame);
        } catch (err) {
          this.#fail(m.runner.id, err);
        }
        pre.push(performance.now() - t);
      }
      const ctx = this.options.context?.() ?? {};
      for (let i = 0; i < due.length; i++) {
        const m = due[i]!;
        this.#lastSeq.set(m.runner.id, frame.seq);
        try {
          const r = await m.runner.infer(ctx);
          this.#stats.models[m.runner.id]!.runs++;
          const s = m.runner.session;
          this.bus.publish('result', {
            type: 'result',
            seq: frame.seq,
            sourceId: frame.sourceId,
            frameTimestampMs: frame.timestampMs,
            modelId: s.id,
            modelVersion: s.version,
            provider: s.provider,
            timings: { queueMs: tTaken - frame.timestampMs, preprocessMs: pre[i]!, inferenceMs: r.inferenceMs, analysisMs: r.analysisMs, totalMs: performance.now() - frame.timestampMs },
            result: r.result,
          });
        } catch (err) {
          this.#fail(m.runner.id, err);
        }
      }
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
