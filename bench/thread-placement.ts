/**
 * npx tsx bench/thread-placement.ts [ROUNDS]
 * The same model, the same options, a bare session.run loop on the main thread and one inside a worker
 * (WorkerEngine.rawLoop), alternating in rounds of 25 runs. Prints each round's ms per run on both threads
 * and their means. On the development VM the two threads take turns being slow (one vCPU at a time is
 * slowed by the host), which is why the throughput bench compares the pipeline with a loop on its own
 * inference thread. See README, Benchmarks.
 */
import { join } from 'node:path';
import { openModelSession } from '../src/inference/session.js';
import { WorkerEngine } from '../src/inference/worker-engine.js';
import { findModelPackage } from '../src/models/package.js';
import { packageRoot } from '../src/util/package-root.js';
import { benchSessionOptions } from './session-options.js';
import { mean } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 30);
const PER = 25;
const pkg = findModelPackage(join(packageRoot(), 'models'), 'fetal-head');
const opts = benchSessionOptions;
const main = await openModelSession(pkg, opts);
const worker = await WorkerEngine.open(pkg, opts);
const onMain: number[] = [];
const inWorker: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const t = performance.now();
  for (let i = 0; i < PER; i++) await main.run(0);
  onMain.push((performance.now() - t) / PER);
  inWorker.push((await worker.rawLoop(0, PER)) / PER);
}
console.log('round  main-thread ms/run  worker ms/run');
onMain.forEach((m, i) => console.log(`${String(i + 1).padStart(5)}  ${m.toFixed(2).padStart(18)}  ${inWorker[i]!.toFixed(2).padStart(13)}`));
console.log(`mean   ${mean(onMain).toFixed(2).padStart(18)}  ${mean(inWorker).toFixed(2).padStart(13)}   (${pkg.manifest.id}, ${main.file.path}, ${opts.intraOpThreads} intra-op thread(s))`);
await worker.release();
await main.release();
