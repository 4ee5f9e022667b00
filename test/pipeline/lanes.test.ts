import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import type { FetalHeadResult } from '../../src/analysis/fetal-head.js';
import type { Frame } from '../../src/capture/frame.js';
import type { FrameSource } from '../../src/capture/source.js';
import type { InferenceEngine } from '../../src/inference/engine.js';
import { openModelSession } from '../../src/inference/session.js';
import { WorkerEngine } from '../../src/inference/worker-engine.js';
import { findModelPackage } from '../../src/models/package.js';
import { Bus, type ResultEvent } from '../../src/pipeline/bus.js';
import { ModelRunner, type Slot } from '../../src/pipeline/model-runner.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { packageRoot } from '../../src/util/package-root.js';

const SIZES = [170, 230, 290];
const pkg = (): ReturnType<typeof findModelPackage> => findModelPackage(join(packageRoot(), 'models'), 'fetal-head');
const options = { providers: ['cpu' as const], intraOpThreads: 1, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 1 };

/** Three heads of very different size, frame `seq` showing SIZES[seq % 3]: a result on another frame's buffer shows as a wrong HC. */
function headSource(): { source: FrameSource; emit: () => void } {
  const frames = SIZES.map((hc) => {
    const p = new SimulatedProbe(`hc${hc}`, { headCircumferenceMm: hc });
    p.prepare();
    const data = new Uint8Array(640 * 480);
    p.render(0, data);
    return { width: 640, height: 480, channels: 1 as const, data, pixelSpacing: { x: p.pixelSpacingMm, y: p.pixelSpacingMm }, sourceId: 'lanes', region: p.region };
  });
  let seq = 0;
  let listener: ((f: Frame) => void) | undefined;
  const emit = (): void => listener?.({ ...frames[seq % 3]!, seq: seq++, timestampMs: performance.now() });
  const source: FrameSource = {
    id: 'lanes',
    driver: 'test-lanes',
    async start(l) {
      listener = l;
      emit();
      emit();
    },
    async stop() {
      listener = undefined;
    },
    health: () => ({ driver: 'test-lanes', state: 'running', connected: true, fps: 0, framesDelivered: seq, errors: 0, lastError: undefined }),
  };
  return { source, emit };
}

function expectOwnFrame(r: ResultEvent): void {
  const want = SIZES[r.seq % 3]!;
  const hc = (r.result as FetalHeadResult).hcMm!;
  expect(Math.abs(hc - want) / want, `${r.modelId} frame ${r.seq}: HC ${hc.toFixed(1)} mm, drawn ${want} mm`).toBeLessThan(0.04);
}

/** `session` under another id or version (results name the session they ran on): a second model, or an update. */
function renamed(session: InferenceEngine, as: { id?: string; version?: string }): InferenceEngine {
  return {
    pkg: session.pkg,
    provider: session.provider,
    file: session.file,
    attempts: session.attempts,
    id: as.id ?? session.id,
    version: as.version ?? session.version,
    inputData: session.inputData,
    runMs: session.runMs,
    run: (slot) => session.run(slot),
    release: async () => {},
  };
}

/** A model whose runs wait for `open()`: an enhancer as slow as a test wants it. */
class HeldRunner extends ModelRunner {
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));
  started = 0;
  open(): void {
    this.#open();
  }
  override async run(slot: Slot): ReturnType<ModelRunner['run']> {
    this.started++;
    await this.#gate;
    return super.run(slot);
  }
}

/** How many models have a run in flight at once (a run queued behind its own model's, on the same worker, adds no thread). */
class Live {
  readonly #runs = new Map<string, number>();
  max = 0;
  add(id: string, n: 1 | -1): void {
    this.#runs.set(id, (this.#runs.get(id) ?? 0) + n);
    this.max = Math.max(this.max, [...this.#runs.values()].filter((x) => x > 0).length);
  }
}

class Counted extends ModelRunner {
  constructor(
    session: InferenceEngine,
    private readonly live: Live,
  ) {
    super(session);
  }
  override async run(slot: Slot): ReturnType<ModelRunner['run']> {
    this.live.add(this.id, 1);
    try {
      return await super.run(slot);
    } finally {
      this.live.add(this.id, -1);
    }
  }
}

/** Writes each preparation and each run asked for, in the order they happen, to `log` (`prepare:<id>`, `run:<id>`). */
class Logged extends ModelRunner {
  constructor(
    session: InferenceEngine,
    private readonly log: string[],
  ) {
    super(session);
  }
  override prepare(...args: Parameters<ModelRunner['prepare']>): void {
    this.log.push(`prepare:${this.id}`);
    super.prepare(...args);
  }
  override run(slot: Slot): ReturnType<ModelRunner['run']> {
    this.log.push(`run:${this.id}`);
    return super.run(slot);
  }
}

describe('models in lanes of their own', () => {
  let diagnostic: WorkerEngine;
  let second: InferenceEngine;
  beforeAll(async () => {
    diagnostic = await WorkerEngine.open(pkg(), { ...options, precision: 'int8' });
    second = await openModelSession(pkg(), { ...options, precision: 'fp32' });
  });
  afterAll(async () => {
    await diagnostic?.release();
    await second?.release();
  });

  it('a stuck enhancer holds back neither the diagnostic results nor a model update; every result is for its own frame', async () => {
    const bus = new Bus();
    const slow = new HeldRunner(renamed(second, { id: 'enhance' }));
    const pipe = new Pipeline(
      bus,
      [
        { runner: new ModelRunner(diagnostic), everyN: 1 },
        { runner: slow, everyN: 1 },
      ],
      { concurrentRuns: 2 },
    );
    const { source, emit } = headSource();
    const results: ResultEvent[] = [];
    const waiters: Array<{ ok: () => boolean; resolve: () => void }> = [];
    const until = (ok: () => boolean): Promise<void> => (ok() ? Promise.resolve() : new Promise((resolve) => waiters.push({ ok, resolve })));
    bus.on('result', (e) => {
      results.push(e);
      for (const w of waiters.splice(0)) {
        if (w.ok()) w.resolve();
        else waiters.push(w);
      }
      if (e.modelId === 'fetal-head') emit(); // the next frame is waiting before the pipeline looks
    });
    const diag = (): ResultEvent[] => results.filter((r) => r.modelId === 'fetal-head');
    await pipe.start(source);
    // The enhancer's first run never answers until opened: with models taking turns nothing more would come.
    await until(() => diag().length >= 12);
    expect(slow.started).toBeGreaterThan(0);
    expect(results.some((r) => r.modelId === 'enhance')).toBe(false);
    expect(pipe.heartbeat().resultsOut).toBeGreaterThanOrEqual(12);
    // A model update of the diagnostic model goes through while the other lane is stuck.
    const update = renamed(diagnostic, { version: '9.9.9-update' });
    expect(await pipe.replaceModel(update)).toBe(diagnostic);
    await until(() => diag().filter((r) => r.modelVersion === '9.9.9-update').length >= 3);
    slow.open();
    await until(() => results.filter((r) => r.modelId === 'enhance').length >= 2);
    await pipe.stop();
    for (const r of results) expectOwnFrame(r);
    const d = diag();
    for (let i = 1; i < d.length; i++) expect(d[i]!.seq).toBeGreaterThan(d[i - 1]!.seq);
    // the enhancer's held runs were for old frames: newer ones were dropped for it alone, never queued
    const firstEnhance = results.find((r) => r.modelId === 'enhance')!;
    expect(firstEnhance.seq).toBeLessThan(d[11]!.seq);
    const s = pipe.stats();
    expect(s.errors).toBe(0);
    expect(s.framesTaken + s.framesDropped).toBeGreaterThanOrEqual(s.framesIn - 1);
    expect(s.framesTaken).toBeLessThanOrEqual(s.framesIn);
  });

  it('with one permit the models take turns, and with two they run side by side', async () => {
    for (const permits of [1, 2]) {
      const live = new Live();
      const bus = new Bus();
      const pipe = new Pipeline(
        bus,
        [
          { runner: new Counted(diagnostic, live), everyN: 1 },
          { runner: new Counted(renamed(second, { id: 'enhance' }), live), everyN: 1 },
        ],
        { concurrentRuns: permits },
      );
      const { source, emit } = headSource();
      const count: Record<string, number> = {};
      const results: ResultEvent[] = [];
      const enough = new Promise<void>((resolve) =>
        bus.on('result', (e) => {
          results.push(e);
          count[e.modelId] = (count[e.modelId] ?? 0) + 1;
          if ((count['fetal-head'] ?? 0) >= 8 && (count['enhance'] ?? 0) >= 8 && (permits === 1 || live.max === 2)) resolve();
          else emit();
        }),
      );
      await pipe.start(source);
      await enough;
      await pipe.stop();
      expect(live.max, `${permits} permit(s)`).toBe(permits);
      for (const r of results) expectOwnFrame(r);
    }
  });

  it("a lane asks for its run before the next lane prepares the same frame (that preparation is not the run's hand-off)", async () => {
    const log: string[] = [];
    const bus = new Bus();
    const pipe = new Pipeline(
      bus,
      [
        { runner: new Logged(diagnostic, log), everyN: 1 },
        { runner: new Logged(renamed(second, { id: 'enhance' }), log), everyN: 1 },
      ],
      { concurrentRuns: 2 },
    );
    const { source, emit } = headSource();
    const perFrame: string[][] = [];
    let latest = 1; // the source's start emits frames 0 and 1
    const answered = new Set<string>();
    const done = new Promise<void>((resolve) =>
      bus.on('result', (e) => {
        if (e.seq !== latest) return;
        answered.add(e.modelId);
        if (answered.size < 2) return;
        // Both models answered the newest frame; the next one comes once both lanes wait for a frame again (after
        // this handler they finish the publication, then wait), so they are offered it in their order.
        answered.clear();
        perFrame.push(log.splice(0));
        if (perFrame.length === 6) return resolve();
        latest++;
        setImmediate(emit);
      }),
    );
    await pipe.start(source);
    await done;
    await pipe.stop();
    // From idle lanes (every frame after the start's two), each model's run is asked for right after its own
    // preparation: the diagnostic model's worker starts while this thread prepares the enhancer's input.
    for (const f of perFrame.slice(1)) expect(f).toEqual(['prepare:fetal-head', 'run:fetal-head', 'prepare:enhance', 'run:enhance']);
  });

  it('counts a frame once at the entrance however many lanes take it, and a frame taken by none as dropped', async () => {
    // Frames come in bursts of three, handed over synchronously: in every lane's slot the third replaces the
    // middle one before any lane can look, so each burst drops at least one frame at the entrance.
    const bus = new Bus();
    const pipe = new Pipeline(bus, [
      { runner: new ModelRunner(diagnostic), everyN: 1 },
      { runner: new ModelRunner(renamed(second, { id: 'enhance' })), everyN: 1 },
    ]);
    const { source, emit } = headSource();
    let results = 0;
    const done = new Promise<void>((resolve) =>
      bus.on('result', () => {
        if (++results === 30) return resolve();
        emit();
        emit();
        emit();
      }),
    );
    await pipe.start(source);
    await done;
    await pipe.stop();
    const s = pipe.stats();
    expect(s.framesDropped).toBeGreaterThanOrEqual(29);
    expect(s.framesTaken + s.framesDropped).toBeLessThanOrEqual(s.framesIn);
    expect(s.framesTaken + s.framesDropped).toBeGreaterThanOrEqual(s.framesIn - 1);
    expect(s.models['fetal-head']!.runs + s.models['enhance']!.runs).toBe(results);
  });

  it("a display model's worker runs at the niceness it was opened with, the rest of the process at its own", async () => {
    const threads = (): Map<number, number> => new Map(readdirSync('/proc/self/task').map((t) => [Number(t), getPriority(Number(t))]));
    const before = threads();
    const niced = await WorkerEngine.open(pkg(), { ...options, precision: 'int8' }, { niceness: 7 });
    try {
      expect(niced.niced).toBe(true);
      const added = [...threads()].filter(([tid]) => !before.has(tid));
      expect(added.some(([, nice]) => nice === 7)).toBe(true);
      expect(getPriority(process.pid)).toBe(before.get(process.pid));
      expect((await niced.run(0))['prob']!.data.length).toBeGreaterThan(0); // and it still runs
    } finally {
      await niced.release();
    }
  });
});
