/**
 * What the watchdog reads to judge the pipeline alive: when the last frame came in and the last result went
 * out. `pipelineHeartbeat` reads the pipeline's own heartbeat (src/pipeline/heartbeat.ts).
 */
import type { PipelineHeartbeat } from '../pipeline/heartbeat.js';

export interface WatchdogHeartbeat {
  /** ms since the epoch of the last frame taken in; 0 = none yet. */
  lastFrameAt(): number;
  /** ms since the epoch of the last model result published; 0 = none yet. */
  lastResultAt(): number;
  /** False while no frames are due (probe frozen, source failed or absent): only the event loop is judged then. */
  framesExpected?(): boolean;
  /** False while no model is due to run (all gated off): frames alone are judged then. Defaults to framesExpected. */
  resultsExpected?(): boolean;
}

/**
 * The watchdog's view of the pipeline's heartbeat. `read` is called on every look (the composition root passes
 * `() => runtime.pipeline?.heartbeat()`, so a pipeline created later or replaced is followed); no pipeline yet
 * means no frames are due.
 */
export function pipelineHeartbeat(read: () => PipelineHeartbeat | undefined): WatchdogHeartbeat {
  return {
    lastFrameAt: () => read()?.lastFrameAtMs ?? 0,
    lastResultAt: () => read()?.lastResultAtMs ?? 0,
    framesExpected: () => read()?.framesExpected ?? false,
    resultsExpected: () => read()?.resultsExpected ?? false,
  };
}
