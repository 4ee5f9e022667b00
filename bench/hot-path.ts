/**
 * Micro bench (issue 22, "Keep the hot path free of per-frame allocations"): what the JS thread allocates per
 * frame on the live path, and the Preprocessor's time per frame, for this tree and for an older checkout of it
 * (--before DIR), in ONE run, as ratios:
 *  - pipeline: fetal-head and enhance (worker engines, int8, one thread each) fed a 640×480 head at 30 fps with a
 *    `stages` listener on (the diagnostics path): bytes allocated per frame offered, by the code of each group of
 *    files (V8's sampling heap profiler, objects collected meanwhile included): src/pipeline and src/inference
 *    are the hot path this bench watches; src/analysis (the tasks' own maths) is shown beside them;
 *  - preprocess: Preprocessor.run on the fetal-head (letterboxed) and enhance (same size) inputs: bytes per frame,
 *    and ms per frame with the trees taking turns in short blocks (the median block);
 *  - analysis: each task's analyzer (fetal-head, breast-lesion, enhance) called directly on a fixed synthetic
 *    model output at the shipped models' grids (a lobed head, a lobulated lesion; the 640×480 frame): bytes per
 *    frame by group of files, and ms per call with the trees taking turns. --sites N prints, per tree, the N
 *    functions of src/analysis that allocated most over the whole run (bytes per frame of all the frames the
 *    windows saw; V8 charges a function inlined into another to the outer one).
 * The trees take turns, round after round (the VM's speed drifts); each figure is the median over the rounds.
 * DIR is a tree of this repository at an older commit, with node_modules and models linked in:
 *   git archive COMMIT src drivers package.json | tar -x -C DIR && ln -s $PWD/node_modules $PWD/models DIR/
 * Run: npx tsx bench/hot-path.ts --before DIR [--frames 300] [--rounds 3] [--sites 15]
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
import type * as FetalHeadModule from '../src/analysis/fetal-head.js';
import type * as BreastLesionModule from '../src/analysis/breast-lesion.js';
import type * as EnhanceModule from '../src/analysis/enhance.js';
import type { ModelGrid } from '../src/analysis/grid.js';
import type * as BusModule from '../src/pipeline/bus.js';
import type * as RunnerModule from '../src/pipeline/model-runner.js';
import type * as PipelineModule from '../src/pipeline/pipeline.js';
import { packageRoot } from '../src/util/package-root.js';

const { values } = parseArgs({
  options: { before: { type: 'string' }, frames: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' }, sites: { type: 'string', default: '0' } },
});
const SITES = Number(values.sites);
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
  FetalHeadAnalyzer: typeof FetalHeadModule.FetalHeadAnalyzer;
  BreastLesionAnalyzer: typeof BreastLesionModule.BreastLesionAnalyzer;
  EnhanceAnalyzer: typeof EnhanceModule.EnhanceAnalyzer;
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
    FetalHeadAnalyzer: (await m<typeof FetalHeadModule>('src/analysis/fetal-head.ts')).FetalHeadAnalyzer,
    BreastLesionAnalyzer: (await m<typeof BreastLesionModule>('src/analysis/breast-lesion.ts')).BreastLesionAnalyzer,
    EnhanceAnalyzer: (await m<typeof EnhanceModule>('src/analysis/enhance.ts')).EnhanceAnalyzer,
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
async function sampled<T>(root: string, section: string, frames: number, work: () => Promise<T>): Promise<{ value: T; bytes: Record<string, number> }> {
  await inspector.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const value = await work();
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  const bytes: Record<string, number> = {};
  const tag = `${section}\t${root === here ? 'after' : 'before'}`;
  type Node = (typeof profile)['head'];
  const walk = (n: Node): void => {
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const rel = url.startsWith(root) ? relative(root, url) : '';
    const group = rel.startsWith('src/') ? rel.split('/').slice(0, 2).join('/') : rel ? 'other files of the tree' : 'node, V8 and libraries';
    bytes[group] = (bytes[group] ?? 0) + n.selfSize;
    if (rel.startsWith('src/analysis/') || (process.env.HOT_PATH_SITES && rel.startsWith('src/'))) {
      const key = `${tag}\t${rel} ${n.callFrame.functionName || '(anonymous)'}`;
      sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
    }
    n.children.forEach(walk);
  };
  walk(profile.head);
  framesSeen.set(tag, (framesSeen.get(tag) ?? 0) + frames);
  return { value, bytes };
}
/** Bytes by section, tree and allocating function (src/analysis, or all of src/ with HOT_PATH_SITES=1), summed over the run. */
const sites = new Map<string, number>();
/** Frames the sampled windows saw, per section and tree (the --sites figures are per frame of these). */
const framesSeen = new Map<string, number>();
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
    const { bytes } = await sampled(root, 'pipeline', FRAMES, () => feed(FRAMES));
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
  const { bytes } = await sampled(root, `preprocess ${model}`, n, async () => {
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

/** ms per call of each tree's `make(t)`: the trees take turns in `blocks` blocks (the VM's speed drifts); the median block mean. */
function turnsMs(make: (t: Tree) => () => void, blocks = 30, blockMs = 100): number[] {
  const fns = loaded.map(({ t }) => make(t));
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

type Task = 'fetal-head' | 'breast-lesion' | 'enhance';
const TASKS: readonly Task[] = ['fetal-head', 'breast-lesion', 'enhance'];

/** A soft map (sigmoid 1.5 px wide) of an ellipse whose radius is modulated by 1 + lobe·sin(k·θ). */
function softBlob(w: number, h: number, cx: number, cy: number, a: number, b: number, angle: number, lobe: number, k: number): Float32Array {
  const out = new Float32Array(w * h);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const u = ((x - cx) * c + (y - cy) * s) / a;
      const v = (-(x - cx) * s + (y - cy) * c) / b;
      const d = (1 + lobe * Math.sin(k * Math.atan2(v, u)) - Math.sqrt(u * u + v * v)) * Math.min(a, b);
      out[y * w + x] = 0.97 / (1 + Math.exp(-d / 1.5));
    }
  return out;
}

/** `model`'s grid letterboxed into the 640×480 frame (what the preprocessor does), as a ModelGrid. */
function letterboxGrid(gw: number, gh: number): ModelGrid {
  const sc = Math.min(gw / base.width, gh / base.height);
  const ox = (gw - base.width * sc) / 2;
  const oy = (gh - base.height * sc) / 2;
  const tuple: [number, number] = [0, 0];
  const toFrame = (mx: number, my: number): [number, number] => {
    tuple[0] = (mx + 0.5 - ox) / sc - 0.5;
    tuple[1] = (my + 0.5 - oy) / sc - 0.5;
    return tuple;
  };
  return { width: gw, height: gh, toFrame, content: { x: Math.ceil(ox), y: Math.ceil(oy), width: Math.floor(base.width * sc), height: Math.floor(base.height * sc) } };
}

/** One call of `task`'s analyzer of tree `t` on a fixed synthetic output at the shipped model's grid. */
function analyzer(t: Tree, task: Task): () => void {
  const [, , gh, gw] = t.findModelPackage(join(here, 'models'), task).manifest.input.shape as [number, number, number, number];
  const grid = letterboxGrid(gw, gh);
  const frame = { width: base.width, height: base.height, region: base.region, pixelSpacing: base.pixelSpacing, signal: { mean: 60, std: 25 } };
  if (task === 'fetal-head') {
    const a = new t.FetalHeadAnalyzer(gw, gh);
    const prob = softBlob(gw, gh, gw / 2, gh / 2, gw * 0.3, gh * 0.32, 0.3, 0.02, 7);
    return () => void a.analyze(prob, grid, frame, { datingGaWeeks: 24 });
  }
  if (task === 'breast-lesion') {
    const a = new t.BreastLesionAnalyzer(gw, gh);
    const prob = softBlob(gw, gh, gw * 0.45, gh * 0.5, gw * 0.12, gh * 0.1, 0.2, 0.12, 5);
    const cls = Float32Array.from([0.1, 0.7, 0.2]);
    return () => void a.analyze(prob, cls, grid, frame);
  }
  const a = new t.EnhanceAnalyzer(gw, gh, { scale: 1 / 255, mean: 0, std: 1 });
  const out = Float32Array.from(base.data, (v) => v / 255);
  return () => void a.analyze(out, letterboxGrid(gw, gh), frame);
}

/** `task`'s analyzer: bytes per call by group of files. */
async function analysisBytes(t: Tree, root: string, task: Task, n = 1000): Promise<Record<string, number>> {
  const run = analyzer(t, task);
  for (let i = 0; i < 200; i++) run();
  const { bytes } = await sampled(root, `analysis ${task}`, n, async () => {
    for (let i = 0; i < n; i++) run();
  });
  return perFrame(bytes, n);
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
    for (const task of TASKS) addBytes(name, `analysis ${task}`, await analysisBytes(t, root, task));
    const p = await pipelineBytes(t, root);
    addBytes(name, 'pipeline', p.bytes);
    add(name, 'pipeline results', p.results);
    console.error(
      `round ${round + 1} ${name}: ${p.results} results over ${FRAMES} frames; bytes/frame by group ${JSON.stringify(Object.fromEntries(Object.entries(p.bytes).map(([k, v]) => [k, Math.round(v)])))}`,
    );
  }
}
for (const model of ['fetal-head', 'enhance'] as const) turnsMs((t) => preprocessor(t, model)).forEach((ms, i) => add(loaded[i]!.name, `preprocess ${model} ms (trees taking turns)`, ms));
for (const task of TASKS) turnsMs((t) => analyzer(t, task), 20).forEach((ms, i) => add(loaded[i]!.name, `analysis ${task} ms (trees taking turns)`, ms));
for (const k of Object.keys(rows.get('after')!)) {
  const fig = trees.map((x) => median(rows.get(x.name)![k] ?? []));
  const ratio = fig.length === 2 ? ` (after/before ×${(fig[1]! / fig[0]!).toFixed(3)})` : '';
  console.log(`${k}: ${trees.map((x, i) => `${x.name} ${fig[i]!.toFixed(k.includes('ms') ? 4 : 0)}`).join(', ')}${ratio}`);
}
if (SITES > 0) {
  // per section and tree: the functions of src/analysis (all src/ with HOT_PATH_SITES=1) that allocated most
  const top = new Map<string, Array<[string, number]>>();
  for (const [k, v] of sites) {
    const [section, tree, fn] = k.split('\t') as [string, string, string];
    const list = top.get(`${section}, ${tree}`) ?? [];
    list.push([fn, v / framesSeen.get(`${section}\t${tree}`)!]);
    top.set(`${section}, ${tree}`, list);
  }
  for (const [where, list] of [...top].sort((a, b) => a[0].localeCompare(b[0])))
    for (const [fn, v] of list.sort((a, b) => b[1] - a[1]).slice(0, SITES)) console.log(`site ${where}: ${fn} ${v.toFixed(0)} B/frame`);
}
