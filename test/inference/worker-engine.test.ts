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

  it('a run announced by expect() answers as any run does, and an announcement with no run after it holds nothing back', async () => {
    const input = engine.inputData[0];
    for (let i = 0; i < input.length; i++) input[i] = ((i * 37) % 255) / 255;
    const plain = Object.fromEntries(Object.entries(await engine.run(0)).map(([k, v]) => [k, { data: Float32Array.from(v.data), dims: [...v.dims] }]));
    // The worker stays awake polling for the announced run: the run's message is taken there, and answered the same.
    engine.expect();
    const announced = await engine.run(0);
    expect(Object.keys(announced)).toEqual(Object.keys(plain));
    for (const [k, v] of Object.entries(announced)) {
      expect([...v.dims], k).toEqual(plain[k]!.dims);
      expect(Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).equals(Buffer.from(plain[k]!.data.buffer)), k).toBe(true);
    }
    // Announced twice and a raw loop instead of a run: the loop's message is taken by the waiting worker too.
    engine.expect();
    engine.expect();
    expect(await engine.rawLoop(0, 1)).toBeGreaterThan(0);
    // A run already asked for: the announcement is not even sent (the worker is busy), and both runs answer.
    const first = engine.run(0);
    engine.expect();
    await first;
    expect((await engine.run(1))['prob']!.data.length).toBeGreaterThan(0);
  });
});
