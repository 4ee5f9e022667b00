import type { Frame } from '../capture/frame.js';
import { LatestSlot } from './latest-slot.js';
import type { ModelRunner, Slot } from './model-runner.js';
import { type Job, type Outcome, type Publication, launch } from './publication.js';
import type { RunHolds } from './run-holds.js';
import type { RunPermits } from './run-permits.js';
import type { ModelSchedule } from './schedule.js';

/** What a lane shares with the other lanes of its pipeline. */
export interface LaneContext {
  schedule: ModelSchedule;
  holds: RunHolds<ModelRunner>;
  publication: Publication;
  permits: RunPermits;
  /** This lane took the `n`th frame offered to the pipeline (1-based), for the entrance counts. */
  taken(n: number): void;
}

/**
 * One model's way through the pipeline, beside the other models' lanes.
 *
 * Named Inputs: `offer(frame)` — every admitted frame, from the entrance; a latest-frame slot of its own
 * keeps only the newest, so a slow model drops frames for itself without holding back the others.
 * Named Outputs: results (and failures) of this model on the Publication, each analysed on the buffer it
 * was prepared into and stamped with the frame it was computed on.
 * Memory: the runner's two input buffers; nothing allocated per frame here beyond the run's own promise.
 * Notes: the runner is looked up by id at every frame, so a replacement (a model update) takes over from the
 * next frame prepared; a run holds its runner (RunHolds) from preparation to publication. A run starts only
 * with a core permit (RunPermits): on a board with fewer cores than busy models, models take turns.
 */
export class ModelLane {
  readonly #slot = new LatestSlot<Frame>();

  /** `offeredBefore`: frames offered to the pipeline before this lane existed (its own count starts there). */
  constructor(
    readonly id: string,
    private readonly ctx: LaneContext,
    private readonly offeredBefore: number,
  ) {}

  offer(frame: Frame): void {
    this.#slot.put(frame);
  }

  /** Frames this lane never took (a newer one replaced them while it was busy). */
  get dropped(): number {
    return this.#slot.dropped;
  }

  /**
   * The loop overlaps work across this model's frames: while it runs on frame N (on its worker thread), the
   * JS thread analyses and publishes the previous run; with a frame waiting, frame N+1 is prepared into the
   * other input buffer meanwhile and its run is queued behind N's on the same worker. When no frame waits,
   * or another lane waits for a core, the run in flight is finished at once (lowest latency; the core goes
   * to the waiting lane).
   */
  async run(signal: AbortSignal): Promise<void> {
    const { schedule, holds, publication, permits } = this.ctx;
    let buffer: Slot = 0;
    let inflight: Job | undefined;
    while (!signal.aborted) {
      if (inflight && (!this.#slot.hasItem || permits.contended)) {
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
      const tTaken = performance.now();
      this.ctx.taken(this.offeredBefore + this.#slot.takenAt);
      if (!schedule.wants(this.id, frame)) continue;
      const runner = schedule.runnerOf(this.id);
      if (!runner) continue;
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
      inflight = launch(runner, buffer, frame, tTaken, preprocessMs);
      if (previous) this.#complete(previous, await previous.outcome);
    }
    if (inflight) {
      await inflight.outcome; // not published: the pipeline is stopping
      holds.release(inflight.runner);
      permits.release();
    }
  }

  #complete(job: Job, outcome: Outcome): void {
    this.ctx.publication.complete(job, outcome);
    this.ctx.holds.release(job.runner);
  }
}
