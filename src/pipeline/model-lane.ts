import type { Frame } from '../capture/frame.js';
import { LatestSlot } from './latest-slot.js';
import type { ModelRunner, Slot } from './model-runner.js';
import { type Job, type Outcome, type Publication, launch } from './publication.js';
import type { RunHolds } from './run-holds.js';
import type { RunPermits } from './run-permits.js';
import { type LaneEstimates, queueNow } from './queue-decision.js';
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
 * Memory: the runner's two input buffers; per frame here only the run's own job and promises (see launch): a wait
 * for a frame or the run's landing is one promise of the slot's, which the landing wakes (no race, no `.then`).
 * Notes: the runner is looked up by id at every frame, so a replacement (a model update) takes over from the
 * next frame prepared; a run holds its runner (RunHolds) from preparation to publication. A run starts only
 * with a core permit (RunPermits): on a board with fewer cores than busy models, models take turns.
 */
export class ModelLane {
  readonly #slot = new LatestSlot<Frame>();
  /**
   * Running estimates, updated in place (queueNow reads them at every frame): when the newest frame was offered
   * (performance.now(); the one the slot holds or hands over), the time between frames offered, this model's run
   * time and spread, how late this thread reads the worker's answers, when the run in flight began or could begin.
   */
  readonly #est: LaneEstimates = { landed: false, runFrom: 0, runMs: 0, runDevMs: 0, offeredAt: -Infinity, periodMs: 0, backMs: 0 };
  /** A run landed: wakes the lane's wait on the slot (made once, handed to every launch). */
  readonly #wake = (): void => this.#slot.wake();
  /** The runner the run-time estimates are of. */
  #estimated: ModelRunner | undefined;

  /** `offeredBefore`: frames offered to the pipeline before this lane existed (its own count starts there). */
  constructor(
    readonly id: string,
    private readonly ctx: LaneContext,
    private readonly offeredBefore: number,
  ) {}

  offer(frame: Frame): void {
    const e = this.#est;
    const now = performance.now();
    const gap = now - e.offeredAt;
    // A pause (1 s or more: the probe frozen, a slow start) says nothing of the cadence; but the first gap seeds
    // the estimate whatever its length, or a lane whose frames all come slowly would never have one.
    if (e.periodMs === 0 && Number.isFinite(gap)) e.periodMs = gap;
    else if (gap < 1000) e.periodMs += EWMA * (gap - e.periodMs);
    e.offeredAt = now;
    this.#slot.put(frame);
  }

  /** Forgets the frame waiting (the pipeline stopped: a restart must not run a frame from before). */
  clear(): void {
    this.#slot.clear();
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
   * N ends (queueNow); otherwise it waits in the slot, where a newer one may replace it. When no frame waits,
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
        while (!job.landed && !(this.#slot.hasItem && queueNow(this.#est) && !this.#replaced(job)) && !signal.aborted && !permits.contended) {
          await this.#slot.next(signal); // a frame put, the run landed (#wake) or the signal aborted
        }
      }
      if (inflight && (!this.#slot.hasItem || permits.contended || this.#replaced(inflight) || (queueBehind && !queueNow(this.#est)))) {
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
      const offeredAt = this.#est.offeredAt;
      const takenAt = performance.now();
      const offer = this.offeredBefore + this.#slot.takenAt;
      this.ctx.taken(offer);
      if (offer < publication.sourceFrom) continue; // a frame of the source switched out: never run for the new one
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
      inflight = launch(runner, buffer, frame, offer, offeredAt, takenAt, preprocessMs, this.#wake);
      if (!previous) this.#est.runFrom = performance.now();
      else {
        this.#complete(previous, await previous.outcome);
        this.#est.runFrom = performance.now();
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
    this.#est.landed = false;
    this.#est.runMs = 0;
    this.#est.runDevMs = 0;
  }

  #complete(job: Job, outcome: Outcome): void {
    if ('run' in outcome) {
      const e = this.#est;
      const ms = outcome.run.inferenceMs;
      if (e.landed) {
        e.runDevMs += EWMA * (Math.abs(ms - e.runMs) - e.runDevMs);
        e.runMs += EWMA * (ms - e.runMs);
      } else e.runMs = ms;
      e.backMs += EWMA * ((outcome.run.trace?.backMs ?? 0) - e.backMs);
      e.landed = true;
    }
    this.ctx.publication.complete(job, outcome);
    this.ctx.holds.release(job.runner);
  }
}
