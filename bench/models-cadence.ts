/**
 * bench (section "cadence"): pipeline throughput with the fetal-head, breast-lesion and enhance models all
 * active at their cadences (1, 2, 1 — the enhancer as while a viewer has it on), against fetal-head alone,
 * in one run, from the simulated probe at 30 fps. Cadence counts source frames (the pipeline's rule), so
 * when inference cannot keep up every model runs on each frame it takes. A model's share of the frame
 * budget = its runs per second × mean inference time / 1000 ms: the part of each second (of each 33 ms
 * frame) its inference occupies; its skips per second are the frames that came while it could not take them
 * (busy with an earlier frame). Models whose package is missing are left out (and said so).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SimulatedProbe } from '../drivers/simulated/probe.js';
import type { SessionOptions } from '../src/inference/session.js';
import { resolveIntraOpThreads } from '../src/inference/threads.js';
import { WorkerEngine } from '../src/inference/worker-engine.js';
import { findModelPackage } from '../src/models/package.js';
import { Bus } from '../src/pipeline/bus.js';
import { ModelRunner } from '../src/pipeline/model-runner.js';
import { Pipeline } from '../src/pipeline/pipeline.js';

export interface CadenceResult {
  models: Array<{ id: string; everyN: number }>;
  aloneFps: number;
  allFps: number;
  /** skippedPerSecond: frames that arrived while the model could not take them (PipelineStats.models[id].framesSkipped) */
  perModel: Record<string, { runsPerSecond: number; meanInferenceMs: number; budgetShare: number; skippedPerSecond: number }>;
  missing: string[];
}

async function run(models: Array<{ engine: WorkerEngine; everyN: number }>, seconds: number): Promise<{ fps: number; wallS: number; per: Record<string, number[]>; skipped: Record<string, number> }> {
  const bus = new Bus();
  const per: Record<string, number[]> = {};
  bus.on('result', (e) => (per[e.modelId] ??= []).push(e.timings.inferenceMs));
  const pipe = new Pipeline(
    bus,
    models.map((m) => ({ runner: new ModelRunner(m.engine), everyN: m.everyN })),
  );
  await pipe.start(new SimulatedProbe('bench-cadence', { fps: 30 }));
  await new Promise((r) => setTimeout(r, 1500)); // warm
  const s0 = pipe.stats();
  for (const k of Object.keys(per)) per[k] = [];
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const s1 = pipe.stats();
  const wallS = (performance.now() - t0) / 1000;
  await pipe.stop();
  const skipped = Object.fromEntries(Object.entries(s1.models).map(([id, m]) => [id, m.framesSkipped - (s0.models[id]?.framesSkipped ?? 0)]));
  return { fps: (s1.framesTaken - s0.framesTaken) / wallS, wallS, per, skipped };
}

export async function benchCadence(root: string, base: Omit<SessionOptions, 'intraOpThreads'>, seconds = 8): Promise<CadenceResult> {
  const wanted = [
    { id: 'fetal-head', everyN: 1 },
    { id: 'breast-lesion', everyN: 2 },
    { id: 'enhance', everyN: 1 },
  ];
  const present = wanted.filter((m) => existsSync(join(root, 'models', m.id, 'manifest.json')));
  const missing = wanted.filter((m) => !present.includes(m)).map((m) => m.id);
  const threads = resolveIntraOpThreads('auto', { cores: availableParallelism(), models: present.length, live: true });
  const engines = await Promise.all(
    present.map(async (m) => ({ engine: await WorkerEngine.open(findModelPackage(join(root, 'models'), m.id), { ...base, intraOpThreads: threads }), everyN: m.everyN })),
  );
  try {
    const alone = await run(engines.slice(0, 1), seconds);
    const all = await run(engines, seconds);
    const perModel: CadenceResult['perModel'] = {};
    for (const m of present) {
      const t = all.per[m.id] ?? [];
      const meanMs = t.reduce((a, b) => a + b, 0) / Math.max(t.length, 1);
      const runsPerSecond = t.length / all.wallS;
      perModel[m.id] = { runsPerSecond, meanInferenceMs: meanMs, budgetShare: (runsPerSecond * meanMs) / 1000, skippedPerSecond: (all.skipped[m.id] ?? 0) / all.wallS };
    }
    return { models: present, aloneFps: alone.fps, allFps: all.fps, perModel, missing };
  } finally {
    for (const e of engines) await e.engine.release();
  }
}
