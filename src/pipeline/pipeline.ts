import { availableParallelism } from 'node:os';
import type { Frame } from '../capture/frame.js';
import { GRABBER_DRIVERS, type RegionOverride } from '../capture/region.js';
import type { FrameSource } from '../capture/source.js';
import { errorMessage } from '../errors.js';
import type { InferenceEngine } from '../inference/engine.js';
import { FrameAdmission, type SpacingOverride } from './admission.js';
import type { Bus } from './bus.js';
import type { PipelineHeartbeat } from './heartbeat.js';
import { ModelLane } from './model-lane.js';
import { ModelRunner, type TaskContextProvider } from './model-runner.js';
import { Publication } from './publication.js';
import { RunHolds } from './run-holds.js';
import { RunPermits } from './run-permits.js';
import { ModelSchedule, type ScheduledModel } from './schedule.js';
import { type PipelineLog, type SourceDeadlines, SourceHolder } from './source-holder.js';
import type { SourceScope } from '../capture/source-scope.js';

export type { ScheduledModel } from './schedule.js';
export type { SpacingOverride } from './admission.js';

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
  /**
   * Per model: `framesSkipped`, the frames that arrived while it could not take them (busy with an earlier
   * frame, a newer one replaced them in its slot) — framesTaken/framesDropped count frames taken by any model
   * or by none. Frames a model took and left out by its cadence, or while switched off, are not skips.
   */
  models: Record<string, { runs: number; errors: number; framesSkipped: number }>;
}

export interface PipelineOptions {
  log?: PipelineLog;
  /** Sources start inside it, so the daemon's last-resort guard can blame an uncaught error on its source. */
  scope?: SourceScope;
  /** The stored calibration of a source (driver + id), put in force whenever that source starts. */
  calibrationFor?: (source: FrameSource) => SpacingOverride | undefined;
  /** The imaging region a technician set for a source (driver + id), put in force whenever that source starts. */
  regionFor?: (source: FrameSource) => RegionOverride | undefined;
  /** How long a driver's start() and stop() may take (defaults: DEFAULT_SOURCE_DEADLINES). */
  sourceDeadlines?: Partial<SourceDeadlines>;
  /**
   * How many models may run at once, each on its own worker (default: the cores, os.availableParallelism()).
   * 1 makes the models take turns (a one-core board); more than the cores only makes them preempt each other.
   */
  concurrentRuns?: number;
  /** See LaneContext.queueBehind (default true; false only to compare with the way before it). */
  queueBehind?: boolean;
}

/**
 * Source → entrance checks → one lane per model (its own latest-frame slot, at its cadence) → bus. Frames go
 * to the bus at the source rate (for the live view); each model takes only the newest frame when it is free,
 * dropping the rest (counted), and models run side by side on their own workers where there are cores for it
 * (RunPermits), so the diagnostic model never waits behind the enhancer or the other way round.
 * Each seam is its own module: SourceHolder (switching, deadlines), FrameAdmission (checks, freeze,
 * calibration), ModelSchedule (cadence, on/off, replacement), ModelLane (one model's loop), Publication
 * (analysis, results). Nothing here knows a clinical task: a task's context comes with its ModelRunner.
 */
export class Pipeline {
  readonly #lanes: ModelLane[] = [];
  readonly #permits: RunPermits;
  readonly #schedule: ModelSchedule;
  readonly #sources: SourceHolder;
  readonly #admission: FrameAdmission;
  readonly #publication: Publication;
  readonly #holds = new RunHolds<ModelRunner>();
  #framesIn = 0;
  /** Frames offered to the lanes; of them, those some lane took (lanes take in offer order: see #taken). */
  #offered = 0;
  #framesTaken = 0;
  #lastTaken = 0;
  #lastFrameAtMs: number | undefined;
  #innerErrors = 0;
  #lastInnerError: string | undefined;
  /** Aborts the lanes (at once when stopping); `#sourceAbort` the source's start, once the source has stopped. */
  #abort: AbortController | undefined;
  #sourceAbort: AbortController | undefined;
  /** stop() was called (and no start() since): frames are refused, nothing more reaches the bus. */
  #stopped = false;
  /** The stop under way, if any (start() waits for it). */
  #stopping: Promise<void> | undefined;
  readonly #loops: Array<Promise<void>> = [];

  constructor(
    readonly bus: Bus,
    models: ScheduledModel[],
    private readonly options: PipelineOptions = {},
  ) {
    this.#schedule = new ModelSchedule();
    this.#permits = new RunPermits(options.concurrentRuns ?? Math.max(1, availableParallelism()));
    this.#publication = new Publication(bus, options.log);
    for (const m of models) this.addModel(m);
    this.#admission = new FrameAdmission(() => this.#sources.current?.driver, options.log);
    this.#sources = new SourceHolder(this.push, {
      scope: options.scope,
      log: options.log,
      deadlines: options.sourceDeadlines,
      onCurrent: (source) => {
        // every frame offered from now on is this source's; results of earlier ones are not published (Publication.sourceFrom)
        this.#publication.sourceFrom = this.#offered + 1;
        this.#schedule.resetCadence();
        if (options.calibrationFor) this.#admission.spacing = options.calibrationFor(source);
        this.#admission.region = options.regionFor?.(source);
        this.#admission.grabber = GRABBER_DRIVERS.has(source.driver);
      },
    });
  }

  get source(): FrameSource | undefined {
    return this.#sources.current;
  }

  /** Schedules one more model (the daemon adds each as its session becomes ready). */
  addModel(model: ScheduledModel): void {
    this.#schedule.add(model);
    this.#publication.track(model.runner.id);
    const lane = new ModelLane(
      model.runner.id,
      { schedule: this.#schedule, holds: this.#holds, publication: this.#publication, permits: this.#permits, taken: this.#taken, queueBehind: this.options.queueBehind },
      this.#offered,
    );
    this.#lanes.push(lane);
    const signal = this.#abort?.signal;
    if (signal && !signal.aborted) this.#loops.push(lane.run(signal));
  }

  /** The sessions scheduled now, in order (a replacement takes its predecessor's place). */
  sessions(): InferenceEngine[] {
    return this.#schedule.runners().map((r) => r.session);
  }

  /**
   * Puts `session` in the place of the model with its id while frames flow (a model update). Open and warm
   * it first: the switch happens between two runs, and the old session is returned, for the caller to
   * release, once no run of it is prepared or in flight.
   */
  async replaceModel(session: InferenceEngine, context?: TaskContextProvider): Promise<InferenceEngine> {
    const next = new ModelRunner(session, context);
    const old = this.#schedule.replace(next);
    this.#publication.track(next.id);
    await this.#holds.idle(old);
    return old.session;
  }

  /** Runs or stops running one model (e.g. the enhancer while at least one viewer has it switched on). */
  setModelEnabled(id: string, enabled: boolean): void {
    this.#schedule.setEnabled(id, enabled);
  }

  /**
   * A calibration made by the clinician (e.g. two points on a ruler) overrides the source's spacing on
   * frames of the size it was made on; frames of another size keep the source's own spacing.
   */
  setSpacingOverride(override: SpacingOverride | undefined): void {
    this.#admission.spacing = override;
  }

  get spacingOverride(): SpacingOverride | undefined {
    return this.#admission.spacing;
  }

  /** A technician's imaging region for the current source (frames of its size take it), or none. */
  setRegionOverride(override: RegionOverride | undefined): void {
    this.#admission.region = override;
  }

  get regionOverride(): RegionOverride | undefined {
    return this.#admission.region;
  }

  /** Size of the last frame that entered, if any (what a calibration made now is made on). */
  lastFrameSize(): { width: number; height: number } | undefined {
    return this.#admission.lastFrameSize();
  }

  /** A frozen probe freezes the view: frames are counted but neither shown nor analysed until unfrozen. */
  setFrozen(frozen: boolean): void {
    this.#admission.frozen = frozen;
  }

  /**
   * Accepts a frame from the source; cheap and synchronous. A malformed frame is counted and refused here,
   * with its reason, before the view or a model sees it; nothing thrown here reaches the driver.
   */
  readonly push = (frame: Frame): void => {
    if (this.#stopped) return; // a source that sends after its stop (abandoned past its deadline, or careless)
    this.#framesIn++;
    this.#lastFrameAtMs = Date.now();
    try {
      if (!this.#admission.admit(frame)) return;
      this.bus.publish('frame', frame);
      this.#offered++;
      if (this.#lanes.length === 0) this.#taken(this.#offered); // no model: nothing waits for the frame
      for (const lane of this.#lanes) lane.offer(frame);
    } catch (err) {
      this.#innerErrors++;
      this.#lastInnerError = `frame ${String(frame?.seq)}: ${errorMessage(err)}`;
    }
  };

  async start(source: FrameSource): Promise<void> {
    await this.#stopping; // a stop still under way finishes first: its lanes must not see the publication reopen
    this.#stopped = false;
    this.#publication.closed = false;
    this.#abort = new AbortController();
    this.#sourceAbort = new AbortController();
    for (const lane of this.#lanes) this.#loops.push(lane.run(this.#abort.signal));
    await this.#sources.start(source, this.#sourceAbort.signal);
  }

  /** See SourceHolder.failed: the source is stopped and shown failed with `reason`. */
  sourceFailed(source: FrameSource, reason: string): void {
    this.#sources.failed(source, reason);
  }

  /** Keeps running with no working source (its failure visible in health) until one is switched in. */
  setFailedSource(source: FrameSource): void {
    this.#sources.setFailed(source);
  }

  /**
   * Replaces the source without stopping inference. The new source starts first (within its deadline); if
   * it fails, the old one keeps running and the error is thrown. Switches run one at a time, in call order.
   */
  switchSource(source: FrameSource): Promise<void> {
    return this.#sources.switchTo(source);
  }

  /**
   * Stops the lanes and the source (bounded by its deadline). From the call on, frames are refused, no frame
   * waiting in a lane is taken and a run in flight is awaited but not published: once stop() resolves,
   * nothing more from this pipeline reaches the bus.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#publication.closed = true;
    const reason = new Error('Pipeline stopped');
    this.#abort?.abort(reason);
    this.#stopping = (async () => {
      await this.#sources.stop();
      this.#sourceAbort?.abort(reason);
      await Promise.all(this.#loops.splice(0).map((l) => l.catch(() => {})));
      // a frame left waiting in a slot belongs to the source just stopped: a restart starts empty
      for (const lane of this.#lanes) lane.clear();
    })();
    await this.#stopping;
  }

  stats(): PipelineStats {
    const p = this.#publication;
    return {
      framesIn: this.#framesIn,
      framesTaken: this.#framesTaken,
      // offered, not taken by any lane, and not the newest one (which a lane may still take)
      framesDropped: this.#offered - this.#framesTaken - (this.#lastTaken < this.#offered ? 1 : 0),
      errors: p.errors + this.#innerErrors,
      lastError: p.lastError ?? this.#lastInnerError,
      framesRejected: this.#admission.rejected,
      lastRejected: this.#admission.lastRejected,
      sourceFaults: this.#sources.faults,
      lastSourceFault: this.#sources.lastFault,
      models: Object.fromEntries(Object.entries(p.models).map(([id, m]) => [id, { runs: m.runs, errors: m.errors, framesSkipped: this.#lanes.find((l) => l.id === id)?.dropped ?? 0 }])),
    };
  }

  heartbeat(): PipelineHeartbeat {
    const p = this.#publication;
    let framesExpected = false;
    try {
      framesExpected = this.#sources.current?.health().state === 'running';
    } catch {
      // a broken driver's health: no frames are expected from it
    }
    const resultsExpected = framesExpected && !this.#admission.frozen && this.#schedule.enabledCount() > 0;
    return { framesIn: this.#framesIn, resultsOut: p.resultsOut, lastFrameAtMs: this.#lastFrameAtMs, lastResultAtMs: p.lastResultAtMs, framesExpected, resultsExpected };
  }

  /**
   * Lanes take frames in the order they were offered (each slot holds only the newest frame, and every lane
   * is offered every frame), so a frame is new to the entrance count exactly when its number passes the last.
   */
  readonly #taken = (n: number): void => {
    if (n <= this.#lastTaken) return;
    this.#framesTaken++;
    this.#lastTaken = n;
  };
}
