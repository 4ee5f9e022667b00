/**
 * Signs of life of the pipeline, for a watchdog (systemd's, src/service/heartbeat.ts reads it): frames entering and
 * results leaving, with the time of the last of each (Date.now() ms). A watchdog compares two readings: a
 * source that delivers while no result leaves for long is a wedged pipeline, not an idle one. Reading it
 * is cheap and never blocks, so a ping driven by it also proves the event loop turns.
 */
export interface PipelineHeartbeat {
  framesIn: number;
  resultsOut: number;
  lastFrameAtMs: number | undefined;
  lastResultAtMs: number | undefined;
  /** A source is running: frames are due (not while it starts, has failed, or is absent). */
  framesExpected: boolean;
  /** Frames are due, the probe is not frozen and a model is switched on: results are due too. */
  resultsExpected: boolean;
}
