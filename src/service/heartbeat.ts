/**
 * What the watchdog reads to judge the pipeline alive: when the last frame came in and the last result went
 * out. The composition root passes the pipeline's own heartbeat; `CounterHeartbeat` builds one from counters
 * (frames in, model runs) for a pipeline that only counts.
 */
export interface PipelineHeartbeat {
  /** ms since the epoch of the last frame taken in; 0 = none yet. */
  lastFrameAt(): number;
  /** ms since the epoch of the last model result published; 0 = none yet. */
  lastResultAt(): number;
  /** False while no frames are due (probe frozen, source failed or absent): only the event loop is judged then. */
  framesExpected?(): boolean;
  /** False while no model is due to run (all gated off): frames alone are judged then. Defaults to framesExpected. */
  resultsExpected?(): boolean;
}

export interface HeartbeatCounters {
  frames: number;
  results: number;
  /** See PipelineHeartbeat.framesExpected. */
  framesExpected?: boolean;
  resultsExpected?: boolean;
}

/** A heartbeat from monotonically growing counters: a counter that moved since the last look moves its time. */
export class CounterHeartbeat implements PipelineHeartbeat {
  #frames = -1;
  #results = -1;
  #frameAt = 0;
  #resultAt = 0;
  #last: HeartbeatCounters = { frames: 0, results: 0 };

  constructor(
    private readonly read: () => HeartbeatCounters,
    private readonly now: () => number = Date.now,
  ) {}

  #sample(): void {
    const c = this.read();
    this.#last = c;
    const t = this.now();
    if (c.frames !== this.#frames) {
      if (this.#frames >= 0 || c.frames > 0) this.#frameAt = t;
      this.#frames = c.frames;
    }
    if (c.results !== this.#results) {
      if (this.#results >= 0 || c.results > 0) this.#resultAt = t;
      this.#results = c.results;
    }
  }

  lastFrameAt(): number {
    this.#sample();
    return this.#frameAt;
  }

  lastResultAt(): number {
    this.#sample();
    return this.#resultAt;
  }

  framesExpected(): boolean {
    return this.#last.framesExpected ?? true;
  }

  resultsExpected(): boolean {
    return this.#last.resultsExpected ?? this.framesExpected();
  }
}
