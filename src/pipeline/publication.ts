import type { Frame } from '../capture/frame.js';
import { errorMessage } from '../errors.js';
import type { Bus } from './bus.js';
import type { ModelRunner, RunOutcome, Slot } from './model-runner.js';
import type { PipelineLog } from './source-holder.js';

/** `elapsedMs`: launch → outcome on this thread; `landedAt`: when it got here (performance.now()). */
export type Outcome = { run: RunOutcome; elapsedMs: number; landedAt: number } | { error: unknown; elapsedMs: number; landedAt: number };

/** A model run in flight: what is needed to analyse and publish it when it lands. */
export interface Job {
  runner: ModelRunner;
  slot: Slot;
  seq: number;
  sourceId: string;
  frameTimestampMs: number;
  /** The frame's number among all frames offered to the lanes (1-based): which source's it was (Publication.sourceFrom). */
  offer: number;
  queueMs: number;
  /** of queueMs: capture stamp → offered to the lanes (the rest is the wait in this lane's slot) */
  sourceMs: number;
  /** when the frame was offered to this lane (performance.now()) */
  offeredAt: number;
  preprocessMs: number;
  /** The run has landed (its outcome is settled, or settles in this very microtask). */
  landed: boolean;
  outcome: Promise<Outcome>;
}

/**
 * The one landing of a run, whichever way it ended (`failed`: `value` is the error, else the RunOutcome): sets
 * `landed`, wakes the lane, times the run. Module-level, so a launch makes no closure beyond the two one-line
 * handlers `then` takes (one per outcome kind, as before: no allocation added per frame).
 */
function land(job: Job, tStart: number, onLanded: () => void, failed: boolean, value: unknown): Outcome {
  const landedAt = performance.now();
  job.landed = true;
  onLanded();
  const elapsedMs = landedAt - tStart;
  return failed ? { error: value, elapsedMs, landedAt } : { run: value as RunOutcome, elapsedMs, landedAt };
}

/**
 * Starts `runner` on the prepared buffer `slot`, asked for before launch returns; never rejects (a failed run is
 * an outcome). `offeredAt` and `takenAt`: when the lane was offered the frame and took it (performance.now()),
 * as numbers (once per frame: no stamps object). `onLanded` is called when the run lands, after `landed` is set
 * (the lane's wake-up).
 */
export function launch(runner: ModelRunner, slot: Slot, frame: Frame, offer: number, offeredAt: number, takenAt: number, preprocessMs: number, onLanded: () => void): Job {
  const tStart = performance.now();
  const t = frame.timestampMs;
  const job: Job = {
    runner,
    slot,
    seq: frame.seq,
    sourceId: frame.sourceId,
    frameTimestampMs: t,
    offer,
    queueMs: takenAt - t,
    sourceMs: Math.min(offeredAt, takenAt) - t,
    offeredAt,
    preprocessMs,
    landed: false,
    outcome: undefined as unknown as Promise<Outcome>,
  };
  // Asked for now, not a microtask later: the worker gets the run before this thread goes on to other work
  // queued meanwhile (the next lane preparing the same frame, 0.6–0.8 ms, which then counted as hand-off).
  let ran: Promise<RunOutcome>;
  try {
    ran = runner.run(slot);
  } catch (err) {
    ran = Promise.reject(err);
  }
  job.outcome = ran.then(
    (run) => land(job, tStart, onLanded, false, run),
    (error: unknown) => land(job, tStart, onLanded, true, error),
  );
  return job;
}

/**
 * The last stage: a landed run is analysed and published on the bus as a `result` with its stage timings;
 * a failure is counted per model and logged. Nothing here throws back into the loop.
 */
export class Publication {
  errors = 0;
  lastError: string | undefined;
  resultsOut = 0;
  lastResultAtMs: number | undefined;
  readonly models: Record<string, { runs: number; errors: number }> = {};
  /** Set while the pipeline stops: a run that lands now is not analysed, and nothing reaches the bus. */
  closed = false;
  /**
   * The offer number (Job.offer) of the current source's first frame: a frame offered before it is of a source
   * switched out since. Sequence numbers restart with every source, so such a result, published now, would be
   * taken for the new source's frame of that number: it is neither analysed nor published (the run still counts).
   */
  sourceFrom = 1;
  /** Runs that landed for a frame of a source switched out since (not published). */
  staleRuns = 0;

  constructor(
    private readonly bus: Bus,
    private readonly log?: PipelineLog,
  ) {}

  track(modelId: string): void {
    this.models[modelId] ??= { runs: 0, errors: 0 };
  }

  complete(job: Job, outcome: Outcome): void {
    if (this.closed) return;
    const id = job.runner.id;
    const ran = job.runner.session;
    if ('error' in outcome) {
      this.bus.publish('run', { modelId: ran.id, modelVersion: ran.version, error: errorMessage(outcome.error), inferenceMs: 0, outputs: undefined });
      return this.fail(id, outcome.error);
    }
    if (job.offer < this.sourceFrom) {
      this.staleRuns++;
      this.bus.publish('run', { modelId: ran.id, modelVersion: ran.version, error: undefined, inferenceMs: outcome.run.inferenceMs, outputs: outcome.run.outputs });
      return;
    }
    try {
      const t = performance.now();
      const result = job.runner.analyze(outcome.run.outputs, job.slot);
      const analysisMs = performance.now() - t;
      const settleMs = t - outcome.landedAt;
      this.track(id);
      this.models[id]!.runs++;
      const s = job.runner.session;
      const { inferenceMs } = outcome.run;
      this.resultsOut++;
      this.lastResultAtMs = Date.now();
      this.bus.publish('result', {
        type: 'result',
        seq: job.seq,
        sourceId: job.sourceId,
        frameTimestampMs: job.frameTimestampMs,
        modelId: s.id,
        modelVersion: s.version,
        provider: s.provider,
        timings: {
          queueMs: job.queueMs,
          preprocessMs: job.preprocessMs,
          handoffMs: Math.max(0, outcome.elapsedMs - inferenceMs),
          inferenceMs,
          analysisMs,
          totalMs: performance.now() - job.frameTimestampMs,
        },
        result,
      });
      if (this.bus.listened('stages')) this.#trace(job, outcome.run, settleMs, t + analysisMs);
      this.bus.publish('run', { modelId: s.id, modelVersion: s.version, error: undefined, inferenceMs, outputs: outcome.run.outputs });
    } catch (err) {
      this.bus.publish('run', { modelId: ran.id, modelVersion: ran.version, error: errorMessage(err), inferenceMs: outcome.run.inferenceMs, outputs: undefined });
      this.fail(id, err);
    }
  }

  /** `run.trace` is the engine's own, valid until the next run on this slot lands: read here, copied into the event. */
  #trace(job: Job, run: RunOutcome, settleMs: number, publishedFrom: number): void {
    const h = run.trace;
    const publishMs = performance.now() - publishedFrom;
    // The frame came while the model's previous run was on: how long its worker then stood idle before this one.
    const relayMs = h && h.previousEndedAt > performance.timeOrigin + job.offeredAt ? h.idleMs : Number.NaN;
    this.bus.publish('stages', {
      modelId: job.runner.id,
      seq: job.seq,
      sourceMs: job.sourceMs,
      slotMs: job.queueMs - job.sourceMs,
      aheadMs: h?.aheadMs ?? 0,
      toWorkerMs: h?.toWorkerMs ?? 0,
      workerMs: h?.workerMs ?? 0,
      backMs: h?.backMs ?? 0,
      relayMs,
      settleMs,
      publishMs,
    });
  }

  fail(modelId: string, err: unknown): void {
    this.errors++;
    this.lastError = `${modelId}: ${errorMessage(err)}`;
    const m = this.models[modelId];
    if (m) m.errors++;
    this.log?.warn({ model: modelId, err: errorMessage(err) }, 'model run failed');
  }
}
