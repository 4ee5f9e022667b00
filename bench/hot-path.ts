/**
 * Micro bench (issue 22, "Keep the hot path free of per-frame allocations"): what the JS thread allocates per
 * frame on the live path, and the Preprocessor's time per frame, for this tree and for an older checkout of it
 * (--before DIR), in ONE run, as ratios:
 *  - pipeline: fetal-head and enhance (worker engines, int8, one thread each) fed a 640×480 head at 30 fps with a
 *    `stages` listener on (the diagnostics path): bytes allocated per frame offered, by the code of each group of
 *    files (V8's sampling heap profiler, objects collected meanwhile included): src/pipeline and src/inference
 *    are the hot path this bench watches; src/analysis (the tasks' own maths) is shown beside them;
 *  - preprocess: Preprocessor.run on the fetal-head (letterboxed) and enhance (same size) inputs: bytes per frame,
 *    and ms per frame with the trees taking turns in short blocks (the median block).
 * The trees take turns, round after round (the VM's speed drifts); each figure is the median over the rounds.
 * DIR is a tree of this repository at an older commit, with node_modules and models linked in:
 *   git archive COMMIT src drivers package.json | tar -x -C DIR && ln -s $PWD/node_modules $PWD/models DIR/
 * Run: npx tsx bench/hot-path.ts --before DIR [--frames 300] [--rounds 3]
 */
import { Session } from 'node:inspector/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SimulatedProbe } from '../drivers/simulated/probe.js';
import type { Frame } from '../src/capture/frame.js';
import type { FrameSource } from '../src/capture/source.js';
import type * as PreprocessModule from '../src/inference/preprocess.js';
import type * as WorkerEngineModule from '../src/inference/worker-engine.js';
import type * as PackageModule from '../src/models/package.js';
import type * as BusModule from '../src/pipeline/bus.js';
import type * as RunnerModule from '../src/pipeline/model-runner.js';
import type * as PipelineModule from '../src/pipeline/pipeline.js';
import { packageRoot } from '../src/util/package-root.js';

const { values } = parseArgs({ options: { before: { type: 'string' }, frames: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' } } });
const FRAMES = Number(values.frames);
const ROUNDS = Number(values.rounds);
const here = packageRoot();
const trees = [...(values.before ? [{ name: 'before', root: resolve(values.before) }] : []), { name: 'after', root: here }];

interface Tree {
  Pipeline: typeof PipelineModule.Pipeline;
  ModelRunner: typeof RunnerModule.ModelRunner;
  Bus: typeof BusModule.Bus;
  WorkerEngine: typeof WorkerEngineModule.WorkerEngine;
  Preprocessor: typeof PreprocessModule.Preprocessor;
  findModelPackage: typeof PackageModule.findModelPackage;
}
async function load(root: string): Promise<Tree> {
  const m = async <T>(p: string): Promise<T> => (await import(join(root, p))) as T;
  return {
    Pipeline: (await m<typeof PipelineModule>('src/pipeline/pipeline.ts')).Pipeline,
    ModelRunner: (await m<typeof RunnerModule>('src/pipeline/model-runner.ts')).ModelRunner,
    Bus: (await m<typeof BusModule>('src/pipeline/bus.ts')).Bus,
    WorkerEngine: (await m<typeof WorkerEngineModule>('src/inference/worker-engine.ts')).WorkerEngine,
    Preprocessor: (await m<typeof PreprocessModule>('src/inference/preprocess.ts')).Preprocessor,
    findModelPackage: (await m<typeof PackageModule>('src/models/package.ts')).findModelPackage,
  };
}

const probe = new SimulatedProbe('hot-path', { headCircumferenceMm: 230 });
probe.prepare();
const pixels = new Uint8Array(640 * 480);
probe.render(0, pixels);
const base: Frame = {
  seq: 0,
  timestampMs: 0,
  width: 640,
  height: 480,
  channels: 1,
  data: pixels,
  pixelSpacing: { x: probe.pixelSpacingMm, y: probe.pixelSpacingMm },
  sourceId: 'hot-path',
  region: probe.region,
};

/**
 * V8's sampling heap profiler over a window, objects collected meanwhile included: bytes allocated by the code of
 * each group of files (the allocating function's file, relative to its tree: src/pipeline, src/inference, ...).
 */
const inspector = new Session();
inspector.connect();
await inspector.post('HeapProfiler.enable');
async function sampled<T>(root: string, work: () => Promise<T>): Promise<{ value: T; bytes: Record<string, number> }> {
  await inspector.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const value = await work();
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  const bytes: Record<string, number> = {};
  type Node = (typeof profile)['head'];
  const walk = (n: Node): void => {
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const rel = url.startsWith(root) ? relative(root, url) : '';
    const group = rel.startsWith('src/') ? rel.split('/').slice(0, 2).join('/') : rel ? 'other files of the tree' : 'node, V8 and libraries';
    bytes[group] = (bytes[group] ?? 0) + n.selfSize;
    if (process.env.HOT_PATH_SITES && rel.startsWith('src/'))
      sites.set(`${rel}:${n.callFrame.lineNumber + 1} ${n.callFrame.functionName}`, (sites.get(`${rel}:${n.callFrame.lineNumber + 1} ${n.callFrame.functionName}`) ?? 0) + n.selfSize);
    n.children.forEach(walk);
  };
  walk(profile.head);
  return { value, bytes };
}
/** HOT_PATH_SITES=1: bytes by allocating function too (file:line of the function), summed over the whole run. */
const sites = new Map<string, number>();
process.on('exit', () => {
  if (process.env.HOT_PATH_SITES) for (const [k, v] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`site ${k}: ${v}`);
});
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

/** Bytes allocated per frame offered to a two-model pipeline, by group of files. */
async function pipelineBytes(t: Tree, root: string): Promise<{ bytes: Record<string, number>; results: number }> {
  const models = join(here, 'models');
  const options = { providers: ['cpu' as const], precision: 'int8' as const, intraOpThreads: 1, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 1 };
  const engines = [await t.WorkerEngine.open(t.findModelPackage(models, 'fetal-head'), options), await t.WorkerEngine.open(t.findModelPackage(models, 'enhance'), options)];
  const bus = new t.Bus();
  let results = 0;
  bus.on('result', () => results++);
  bus.on('stages', () => {});
  const pipe = new t.Pipeline(
    bus,
    engines.map((e) => ({ runner: new t.ModelRunner(e), everyN: 1 })),
    { concurrentRuns: 2 },
  );
  let listener: ((f: Frame) => void) | undefined;
  let seq = 0;
  const source: FrameSource = {
    id: 'hot-path',
    driver: 'bench-hot-path',
    async start(l) {
      listener = l;
    },
    async stop() {
      listener = undefined;
    },
    health: () => ({ driver: 'bench-hot-path', state: 'running', connected: true, fps: 30, framesDelivered: seq, errors: 0, lastError: undefined }),
  };
  const feed = (n: number): Promise<void> =>
    new Promise((done) => {
      let left = n;
      const timer = setInterval(() => {
        listener?.({ ...base, seq: seq++, timestampMs: performance.now() });
        if (--left === 0) {
          clearInterval(timer);
          setTimeout(done, 300); // the last runs land
        }
      }, 1000 / 30);
    });
  try {
    await pipe.start(source);
    await feed(60); // warm: JIT, estimates, tables
    const r0 = results;
    const { bytes } = await sampled(root, () => feed(FRAMES));
    return { bytes: perFrame(bytes, FRAMES), results: results - r0 };
  } finally {
    await pipe.stop();
    for (const e of engines) await e.release();
  }
}

const perFrame = (bytes: Record<string, number>, n: number): Record<string, number> => Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, v / n]));

/** Preprocessor.run on `model`'s input into one buffer (as a lane does): bytes per frame by group of files. */
async function preprocessBytes(t: Tree, root: string, model: 'fetal-head' | 'enhance', n = 2000): Promise<Record<string, number>> {
  const run = preprocessor(t, model);
  for (let i = 0; i < 200; i++) run();
  const { bytes } = await sampled(root, async () => {
    for (let i = 0; i < n; i++) run();
  });
  return perFrame(bytes, n);
}

function preprocessor(t: Tree, model: 'fetal-head' | 'enhance'): () => void {
  const input = t.findModelPackage(join(here, 'models'), model).manifest.input;
  const pre = new t.Preprocessor(input);
  const out = new Float32Array(input.shape[1] * input.shape[2] * input.shape[3]);
  return () => void pre.run(base, out);
}

/** ms per Preprocessor.run of each tree: the trees take turns in `blocks` blocks (the VM's speed drifts); the median block mean. */
function preprocessMs(model: 'fetal-head' | 'enhance', blocks = 30, blockMs = 100): number[] {
  const fns = loaded.map(({ t }) => preprocessor(t, model));
  for (const f of fns) for (let i = 0; i < 200; i++) f();
  const per: number[][] = fns.map(() => []);
  for (let b = 0; b < blocks; b++)
    fns.forEach((f, k) => {
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      for (; t - t0 < blockMs; t = performance.now(), n++) f();
      per[k]!.push((t - t0) / n);
    });
  return per.map(median);
}

const loaded = await Promise.all(trees.map(async (x) => ({ ...x, t: await load(x.root) })));
const rows = new Map<string, Record<string, number[]>>(trees.map((x) => [x.name, {}]));
const add = (tree: string, k: string, v: number): void => void (rows.get(tree)![k] ??= []).push(v);
const addBytes = (tree: string, what: string, bytes: Record<string, number>): void => {
  add(
    tree,
    `${what} bytes/frame, all`,
    Object.values(bytes).reduce((a, b) => a + b, 0),
  );
  for (const g of ['src/pipeline', 'src/inference', 'src/analysis']) add(tree, `${what} bytes/frame, ${g}`, bytes[g] ?? 0);
};
for (let round = 0; round < ROUNDS; round++) {
  for (const { name, root, t } of round % 2 ? [...loaded].reverse() : loaded) {
    for (const model of ['fetal-head', 'enhance'] as const) addBytes(name, `preprocess ${model}`, await preprocessBytes(t, root, model));
    const p = await pipelineBytes(t, root);
    addBytes(name, 'pipeline', p.bytes);
    add(name, 'pipeline results', p.results);
    console.error(
      `round ${round + 1} ${name}: ${p.results} results over ${FRAMES} frames; bytes/frame by group ${JSON.stringify(Object.fromEntries(Object.entries(p.bytes).map(([k, v]) => [k, Math.round(v)])))}`,
    );
  }
}
for (const model of ['fetal-head', 'enhance'] as const) preprocessMs(model).forEach((ms, i) => add(loaded[i]!.name, `preprocess ${model} ms (trees taking turns)`, ms));
for (const k of Object.keys(rows.get('after')!)) {
  const fig = trees.map((x) => median(rows.get(x.name)![k] ?? []));
  const ratio = fig.length === 2 ? ` (after/before ×${(fig[1]! / fig[0]!).toFixed(3)})` : '';
  console.log(`${k}: ${trees.map((x, i) => `${x.name} ${fig[i]!.toFixed(k.includes('ms') ? 4 : 0)}`).join(', ')}${ratio}`);
}
