/**
 * Past this (ms, running mean) between the worker answering and the JS thread reading the answer, the JS
 * thread is short of CPU: runs are no longer queued behind (see queueNow). Measured on the 2-vCPU VM: 0.6–2.9
 * with the box to itself, 5–15 with the cores oversubscribed by other jobs.
 */
export const LATE_ANSWER_MS = 4;

/** A lane's running estimates, as queueNow reads them (times from performance.now(), in ms). */
export interface LaneEstimates {
  /** Whether any run has landed yet (before that, there is no estimate). */
  landed: boolean;
  /** When the run in flight began, or could begin (the run ahead of it landed then). */
  runFrom: number;
  /** The model's run time: running mean and spread (mean absolute deviation). */
  runMs: number;
  runDevMs: number;
  /** When the newest frame was offered, and the running mean of the time between frames offered. */
  offeredAt: number;
  periodMs: number;
  /** Running mean of how late the JS thread read the worker's answers. */
  backMs: number;
}

/**
 * Queue the waiting frame behind the run in flight now? Yes when that run should end before the next frame
 * arrives (frames come every periodMs; with a cadence of every Nth frame, the next one is due too when this
 * one is not run): nothing fresher can take the waiting frame's place before the worker is free, so waiting
 * would only add the trip through the JS thread. The run is reckoned long (its mean plus twice its spread): a
 * queued frame that waits longer than the trip would have taken is worse off than a fresher one. No while a
 * fresher frame may still come first, or before any run landed (no estimate yet): the frame waits in the
 * slot, where a newer one replaces it, and is looked at again then. And no when the cores are short: the
 * model's runs take longer than a frame period on average, or the JS thread reads answers late — a worker
 * that goes straight on then takes the CPU the JS thread needs for every lane (on the VM oversubscribed by
 * other jobs, queueing behind cut fetal-head from 15.0 to 11.3 results/s); the trip lets that thread run.
 */
export function queueNow(e: LaneEstimates): boolean {
  if (!e.landed || e.runMs >= e.periodMs || e.backMs > LATE_ANSWER_MS) return false;
  return e.runFrom + e.runMs + 2 * e.runDevMs < e.offeredAt + e.periodMs;
}
