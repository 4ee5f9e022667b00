import { describe, expect, it } from 'vitest';
import { LATE_ANSWER_MS, type LaneEstimates, queueNow } from '../../src/pipeline/queue-decision.js';

/**
 * A lane whose run in flight began at 100 ms, runs 10 ± 2 ms (reckoned long: ends by 124), and whose newest
 * frame came at 95 ms, one every 33 ms (the next is due at 128): nothing fresher comes before the run ends.
 */
const base: LaneEstimates = { landed: true, runFrom: 100, runMs: 10, runDevMs: 2, offeredAt: 95, periodMs: 33, backMs: 1 };

describe('queueNow: queue the waiting frame behind the run in flight', () => {
  const cases: Array<{ name: string; change: Partial<LaneEstimates>; queue: boolean }> = [
    { name: 'the run, reckoned long, ends before the next frame is due', change: {}, queue: true },
    { name: 'no estimate yet: no run has landed', change: { landed: false }, queue: false },
    // Freshness: the next frame (offeredAt + periodMs) may come before the run ends (runFrom + runMs + 2 × spread).
    { name: 'the next frame is due before the run ends by its mean', change: { runFrom: 120 }, queue: false },
    { name: 'the run ends by its mean before the next frame, but not reckoned with twice its spread', change: { runDevMs: 10 }, queue: false },
    { name: 'the run ends, spread included, just before the next frame', change: { runDevMs: 8.9 }, queue: true },
    { name: 'the run ends, spread included, exactly when the next frame is due', change: { runDevMs: 9 }, queue: false },
    { name: 'an older frame waiting: the next one is due sooner', change: { offeredAt: 80 }, queue: false },
    // Cores short: the model runs at least a frame period on average, however the run in flight is placed.
    { name: 'the model runs a whole frame period', change: { runMs: 33, runDevMs: 0, runFrom: 0 }, queue: false },
    { name: 'the model runs longer than a frame period', change: { runMs: 40, runDevMs: 0, runFrom: 0 }, queue: false },
    { name: 'the model runs just under a frame period', change: { runMs: 32.9, runDevMs: 0, runFrom: 0 }, queue: true },
    { name: 'no period estimate (0): the model runs longer', change: { periodMs: 0 }, queue: false },
    // Cores short: the JS thread reads the worker's answers late.
    { name: 'answers read late', change: { backMs: LATE_ANSWER_MS + 0.1 }, queue: false },
    { name: 'answers read just on time', change: { backMs: LATE_ANSWER_MS }, queue: true },
  ];
  for (const { name, change, queue } of cases) {
    it(`${queue ? 'queues' : 'does not queue'}: ${name}`, () => {
      expect(queueNow({ ...base, ...change })).toBe(queue);
    });
  }
});
