import type { Frame } from '../capture/frame.js';
import { LatestSlot } from './latest-slot.js';
import type { ModelRunner, Slot } from './model-runner.js';
import { type Job, type Outcome, type Publication, launch } from './publication.js';
import type { RunHolds } from './run-holds.js';
import type { RunPermits } from './run-permits.js';
import { queueNow } from './queue-decision.js';
import type { ModelSchedule } from './schedule.js';

/** What a lane shares with the other lanes of its pipeline. */
export interface LaneContext {
  schedule: ModelSchedule;
  holds: RunHolds<ModelRunner>;
  publication: Publication;
  permits: RunPermits;
  /** This lane took the `n`th frame offered to the pipeline (1-based), for the entrance counts. */
  taken(n: number): void;
  /**
   * A frame that arrives while this model's run is in flight is prepared at once and its run queued behind
   * on the same worker (default true); false: it waits in the slot until the run has landed (the pipeline's
   * way until session 8, kept for the bench's before/after rows).
   */
  queueBehind?: boolean | undefined;
}

/** Weight of the newest sample in the lane's running estimates (run time, frame period). */
const EWMA = 0.2;
/**
 * One model's way through the pipeline, beside the other models' lanes.
 *
 * Named Inputs: `offer(frame)` — every admitted frame, from the entrance; a latest-frame slot of its own
 * keeps only the newest, so a slow model drops frames for itself without holding back the others.
 * Named Outputs: results (and failures) of this model on the Publication, each analysed on the buffer it
 * was prepared into and stamped with the frame it was computed on.
 * Memory: the runner's two input buffers; nothing allocated per frame here beyond the run's own promise (and a race with the slot).
 * Notes: the runner is looked up by id at every frame, so a replacement (a model update) takes over from the
 * next frame prepared; a run holds its runner (RunHolds) from preparation to publication. A run starts only
 * with a core permit (RunPermits): on a board with fewer cores than busy models, models take turns.
 */
export class ModelLane {
  readonly #slot = new LatestSlot<Frame>();
  /** When the newest frame was offered (performance.now()): the one the slot holds or hands over. */
  #offeredAt = -Infinity;
  /** Running estimates: the time between frames offered, and this model's run time and its spread (ms). */
  #periodMs = 0;
  #runMs = 0;
  #runDevMs = 0;
  /** Running mean of how late this thread read the worker's answers (ms). */
  #backMs = 0;
  #landed = false;
  /** When the run in flight began, or could begin (the run ahead of it landed then). */
  #runFrom = 0;
  /** The runner the run-time estimates are of. */
  #estimated: ModelRunner | undefined;

  /** `offeredBefore`: frames offered to the pipeline before this lane existed (its own count starts there). */
  constructor(
    readonly id: string,
    private readonly ctx: LaneContext,
    private readonly offeredBefore: number,
  ) {}

  offer(frame: Frame): void {
    const now = performance.now();
    const gap = now - this.#offeredAt;
    // A pause (1 s or more: the probe frozen, a slow start) says nothing of the cadence; but the first gap seeds
    // the estimate whatever its length, or a lane whose frames all come slowly would never have one.
    if (this.#periodMs === 0 && Number.isFinite(gap)) this.#periodMs = gap;
    else if (gap < 1000) this.#periodMs += EWMA * (gap - this.#periodMs);
    this.#offeredAt = now;
    this.#slot.put(frame);
  }

  /** Frames this lane never took (a newer one replaced them while it was busy). */
  get dropped(): number {
    return this.#slot.dropped;
  }

  /**
   * The loop overlaps work across this model's frames: while it runs on frame N (on its worker thread), a
   * frame that arrives is prepared into the other input buffer at once and its run queued behind N's on the
   * same worker, which starts it the moment N ends (no trip through this thread between them); then N is
   * analysed and published. A frame is queued so only when no fresher frame this model wants can come before
   * N ends (#queueNow); otherwise it waits in the slot, where a newer one may replace it. When no frame waits,
   * or another lane waits for a core, the run in flight is finished at once (the core goes to the waiting lane).
   */
  async run(signal: AbortSignal): Promise<void> {
    const { schedule, holds, publication, permits } = this.ctx;
    const queueBehind = this.ctx.queueBehind ?? true;
    let buffer: Slot = 0;
    let inflight: Job | undefined;
    while (!signal.aborted) {
      // Until the run lands, or a frame waits that no fresher one can replace before the run ends: that one
      // is queued behind it (below). Each frame that comes meanwhile is looked at anew.
      // A run of a replaced runner (a model update) is finished first: the next frame goes to the new model.
      if (inflight && queueBehind) {
        const job = inflight;
        const landed = job.outcome.then(() => true);
        while (!(this.#slot.hasItem && this.#queueNow() && !this.#replaced(job)) && !signal.aborted && !permits.contended) {
          if (await Promise.race([landed, this.#slot.next(signal).then(() => false)])) break;
        }
      }
      if (inflight && (!this.#slot.hasItem || permits.contended || this.#replaced(inflight) || (queueBehind && !this.#queueNow()))) {
        this.#complete(inflight, await inflight.outcome);
        permits.release();
        inflight = undefined;
      }
      let frame: Frame;
      try {
        frame = await this.#slot.take(signal);
      } catch {
        break;
      }
      if (signal.aborted) break; // handed over as the pipeline stopped: not run
      const at = { offeredAt: this.#offeredAt, takenAt: performance.now() };
      this.ctx.taken(this.offeredBefore + this.#slot.takenAt);
      if (!schedule.wants(this.id, frame)) continue;
      const runner = schedule.runnerOf(this.id);
      if (!runner) continue;
      if (inflight && runner !== inflight.runner) {
        // Replaced since the decision above: the run in flight is still finished before the new model's.
        this.#complete(inflight, await inflight.outcome);
        permits.release();
        inflight = undefined;
      }
      if (runner !== this.#estimated) this.#newModel(runner);
      // The other buffer from the run still in flight (the only one not yet analysed): flipping blindly would
      // land on its buffer after a frame whose preparation failed and launched nothing.
      buffer = inflight ? (inflight.slot === 0 ? 1 : 0) : buffer === 0 ? 1 : 0;
      // Prepared now, while the frame's pixels are guaranteed valid; a failed preparation launches nothing.
      const t = performance.now();
      try {
        runner.prepare(frame, buffer);
      } catch (err) {
        publication.fail(this.id, err);
        continue;
      }
      const preprocessMs = performance.now() - t;
      holds.hold(runner);
      schedule.ran(this.id, frame.seq);
      // A lane with a run in flight holds a permit already: the next run queues behind it on the same worker.
      if (!inflight && !permits.tryAcquire()) {
        try {
          await permits.acquire(signal);
        } catch {
          holds.release(runner);
          break;
        }
      }
      const previous = inflight;
      inflight = launch(runner, buffer, frame, at, preprocessMs);
      if (!previous) this.#runFrom = performance.now();
      else {
        this.#complete(previous, await previous.outcome);
        this.#runFrom = performance.now();
      }
    }
    // Not published: the pipeline is stopping (its Publication is closed, so a run that landed above was not either).
    if (inflight) {
      await inflight.outcome;
      holds.release(inflight.runner);
      permits.release();
    }
  }

  /** Was the runner of `job` replaced (a model update) since it was launched? */
  #replaced(job: Job): boolean {
    return this.ctx.schedule.runnerOf(this.id) !== job.runner;
  }

  /**
   * A new model's runs start without an estimate (the old one's run times say nothing of it). The frame
   * period is the source's; how late this thread reads answers is this thread's: both are kept.
   */
  #newModel(runner: ModelRunner): void {
    this.#estimated = runner;
    this.#landed = false;
    this.#runMs = 0;
    this.#runDevMs = 0;
  }

  /** Queue the waiting frame behind the run in flight now? See queueNow. */
  #queueNow(): boolean {
    return queueNow({ landed: this.#landed, runFrom: this.#runFrom, runMs: this.#runMs, runDevMs: this.#runDevMs, offeredAt: this.#offeredAt, periodMs: this.#periodMs, backMs: this.#backMs });
  }

  #complete(job: Job, outcome: Outcome): void {
    if ('run' in outcome) {
      const ms = outcome.run.inferenceMs;
      if (this.#landed) {
        this.#runDevMs += EWMA * (Math.abs(ms - this.#runMs) - this.#runDevMs);
        this.#runMs += EWMA * (ms - this.#runMs);
      } else this.#runMs = ms;
      this.#backMs += EWMA * ((outcome.run.trace?.backMs ?? 0) - this.#backMs);
      this.#landed = true;
    }
    this.ctx.publication.complete(job, outcome);
    this.ctx.holds.release(job.runner);
  }
}
