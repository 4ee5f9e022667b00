import { availableParallelism } from 'node:os';
import type { SessionOptions } from '../src/inference/session.js';
import { resolveIntraOpThreads } from '../src/inference/threads.js';

/**
 * The live daemon's session options on this machine, CPU provider, int8 (what `npm run bench` and
 * bench/thread-placement.ts measure); BENCH_THREADS overrides the intra-op thread count.
 */
export const benchSessionOptions: SessionOptions = {
  providers: ['cpu'],
  precision: 'int8',
  intraOpThreads: process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : resolveIntraOpThreads('auto', { cores: availableParallelism(), models: 1, live: true }),
  allowSpinning: false,
  deviceId: 0,
  tensorrt: { fp16: true, int8: false },
  warmupRuns: 5,
};
