import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerEngine } from '../../src/inference/worker-engine.js';
import { findModelPackage } from '../../src/models/package.js';
import { packageRoot } from '../../src/util/package-root.js';

const options = { providers: ['cpu' as const], precision: 'int8' as const, intraOpThreads: 1, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 0 };

describe('WorkerEngine run trace', () => {
  let engine: WorkerEngine;
  beforeAll(async () => {
    engine = await WorkerEngine.open(findModelPackage(join(packageRoot(), 'models'), 'fetal-head'), options);
  });
  afterAll(async () => engine?.release());

  it('measures the run after a failed one from the failed run’s end, not an older run’s', async () => {
    await engine.run(0);
    const okEnded = engine.lastEndedAt;
    expect(okEnded).toBeGreaterThan(0);
    // A slot the worker has no buffer for: the run fails inside the worker (a real failed run, answered).
    await expect(engine.run(2 as 0)).rejects.toThrow();
    const failedEnded = engine.lastEndedAt;
    // Both stamps are the worker thread's own clock: the failed run ended after the run before it.
    expect(failedEnded, 'the failed run left the last-ended stamp at the run before it').toBeGreaterThan(okEnded);
    await engine.run(0);
    const t = engine.runTrace[0];
    expect(t.previousEndedAt).toBe(failedEnded);
    expect(t.idleMs).toBeGreaterThanOrEqual(0);
  });

  it('measures the run after a raw loop from the loop’s end (the loop held the worker)', async () => {
    await engine.run(0);
    const runEnded = engine.lastEndedAt;
    await engine.rawLoop(0, 3);
    const loopEnded = engine.lastEndedAt;
    expect(loopEnded, 'the raw loop left the last-ended stamp at the run before it').toBeGreaterThan(runEnded);
    await engine.run(0);
    expect(engine.runTrace[0].previousEndedAt).toBe(loopEnded);
  });
});
