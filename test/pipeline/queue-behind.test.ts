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
import { Bus, type ResultEvent, type StageTrace } from '../../src/pipeline/bus.js';
import { ModelRunner, type Slot } from '../../src/pipeline/model-runner.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { packageRoot } from '../../src/util/package-root.js';

const SIZES = [170, 230, 290];
const pkg = (): ReturnType<typeof findModelPackage> => findModelPackage(join(packageRoot(), 'models'), 'fetal-head');
const options = { providers: ['cpu' as const], intraOpThreads: 1, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 1 };

/** Frame `seq` shows a head of SIZES[seq % 3] (a result analysed on another frame's buffer shows as a wrong HC); `emittedAt` gets when each was emitted. */
function headSource(emittedAt: Map<number, number>): { source: FrameSource; emit: () => void } {
  const frames = SIZES.map((hc) => {
    const p = new SimulatedProbe(`hc${hc}`, { headCircumferenceMm: hc });
    p.prepare();
    const data = new Uint8Array(640 * 480);
    p.render(0, data);
    return { width: 640, height: 480, channels: 1 as const, data, pixelSpacing: { x: p.pixelSpacingMm, y: p.pixelSpacingMm }, sourceId: 'queue', region: p.region };
  });
  let seq = 0;
  let listener: ((f: Frame) => void) | undefined;
  const emit = (): void => {
    const at = performance.now();
    emittedAt.set(seq, at);
    listener?.({ ...frames[seq % 3]!, seq: seq++, timestampMs: at });
  };
  const source: FrameSource = {
    id: 'queue',
    driver: 'test-queue',
    async start(l) {
      listener = l;
    },
    async stop() {
      listener = undefined;
    },
    health: () => ({ driver: 'test-queue', state: 'running', connected: true, fps: 0, framesDelivered: seq, errors: 0, lastError: undefined }),
  };
  return { source, emit };
}

/**
 * A model whose answers are held back while `hold` is set (the run itself happens), whose preparation of
 * frame `failSeq` throws (nothing is launched for it), and that counts each buffer prepared again before the
 * run on it was analysed (`overwritten`); it says each run took
 * `claimMs` (and that its answers were read at once): 0, and by the lane's estimate a run in flight always ends before the next frame (a waiting frame
 * is due to be queued behind it); a very long time, and a fresher frame should always come first (none is).
 * Counts how many of its runs are in flight at once.
 */
class Gated extends ModelRunner {
  claimMs = 0;
  hold = false;
  inFlight = 0;
  maxInFlight = 0;
  runs = 0;
  failSeq = -1;
  readonly overwritten: number[] = [];
  readonly #unread = new Set<Slot>();
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));
  open(): void {
    this.#open();
  }
  override prepare(...args: Parameters<ModelRunner['prepare']>): void {
    const [frame, slot = 0] = args;
    if (this.#unread.has(slot)) this.overwritten.push(frame.seq);
    if (frame.seq === this.failSeq) throw new Error(`Frame ${frame.seq} cannot be prepared`);
    super.prepare(...args);
  }
  override analyze(...args: Parameters<ModelRunner['analyze']>): ReturnType<ModelRunner['analyze']> {
    this.#unread.delete(args[1]);
    return super.analyze(...args);
  }
  override async run(slot: Slot): ReturnType<ModelRunner['run']> {
    const held = this.hold;
    this.#unread.add(slot);
    this.runs++;
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      const out = await super.run(slot);
      if (held) await this.#gate;
      return { ...out, inferenceMs: this.claimMs, trace: undefined }; // and no hand-off trace: answers read on time
    } finally {
      this.inFlight--;
    }
  }
}

/** `session` under another id (a second model beside the gated one, or its update); `ran` is called at each run. */
function renamed(session: InferenceEngine, id: string, ran = (): void => {}): InferenceEngine {
  return {
    pkg: session.pkg,
    provider: session.provider,
    file: session.file,
    attempts: session.attempts,
    id,
    version: session.version,
    inputData: session.inputData,
    runMs: session.runMs,
    run: (slot) => {
      ran();
      return session.run(slot);
    },
    release: async () => {},
  };
}

describe('a frame that arrives during its model run', () => {
  let diagnostic: WorkerEngine;
  let other: InferenceEngine;
  let update: InferenceEngine; // the gated model's update, in case 5
  beforeAll(async () => {
    update = await openModelSession(pkg(), { ...options, precision: 'int8' });
    diagnostic = await WorkerEngine.open(pkg(), { ...options, precision: 'int8' });
    other = await openModelSession(pkg(), { ...options, precision: 'int8' });
  });
  afterAll(async () => {
    await diagnostic?.release();
    await other?.release();
    await update?.release();
  });

  const cases = [
    { queueBehind: true, claimMs: 0, queued: true, name: 'is prepared at once and its run queued behind the one in flight; each result is of its own frame' },
    { queueBehind: true, claimMs: 3_600_000, queued: false, name: 'waits in the slot, where a fresher one may replace it, while the model runs longer than a frame period' },
    { queueBehind: false, claimMs: 0, queued: false, name: 'waits for the run in flight to land when queueing behind is off' },
    // Frame 3 launches nothing: frame 4 must go to the buffer frame 2's run is not using, not the one after frame 3's.
    { queueBehind: true, claimMs: 0, queued: true, fails: true, name: 'is queued on the buffer the run in flight is not using, also after a frame that failed to prepare' },
    // The next frame belongs to the new model: the old one's run is finished first, nothing queued behind it.
    { queueBehind: true, claimMs: 0, queued: false, replaces: true, name: 'is not queued behind a run of a model being replaced: that run is finished first' },
  ];
  for (const { queueBehind, claimMs, queued, fails = false, replaces = false, name } of cases) {
    it(name, async () => {
      const bus = new Bus();
      const gated = new Gated(diagnostic);
      gated.claimMs = claimMs;
      if (fails) gated.failSeq = 3;
      const last = fails ? 4 : 3;
      const pipe = new Pipeline(
        bus,
        [
          { runner: gated, everyN: 1 },
          { runner: new ModelRunner(renamed(other, 'enhance')), everyN: 1 },
        ],
        { concurrentRuns: 2, queueBehind },
      );
      const emittedAt = new Map<number, number>(); // frame seq → when the test emitted it (performance.now())
      const resultAt = new Map<number, number>(); // frame seq → when its fetal-head result reached the test
      const { source, emit } = headSource(emittedAt);
      const results: ResultEvent[] = [];
      const stages: StageTrace[] = [];
      const waiters: Array<{ ok: () => boolean; resolve: () => void }> = [];
      const until = (ok: () => boolean): Promise<void> => (ok() ? Promise.resolve() : new Promise((resolve) => waiters.push({ ok, resolve })));
      const check = (): void => {
        for (const w of waiters.splice(0)) {
          if (w.ok()) w.resolve();
          else waiters.push(w);
        }
      };
      bus.on('result', (e) => {
        if (e.modelId === 'fetal-head') resultAt.set(e.seq, performance.now());
        results.push(e);
        check();
      });
      bus.on('stages', (e) => stages.push(e));
      const of = (model: string, seq: number) => (): boolean => results.some((r) => r.modelId === model && r.seq === seq);
      await pipe.start(source);
      // Two frames run and land, one after the other: the lane has its estimates (run time, frame period).
      for (const seq of [0, 1]) {
        emit();
        await until(of('fetal-head', seq));
      }
      gated.hold = true;
      const ticker = setInterval(check, 5); // some conditions below change without a result
      emit(); // frame 2: its answer is held
      await until(() => gated.runs === 3 && results.some((r) => r.modelId === 'enhance' && r.seq === 2));
      let updateRuns = 0;
      const replaced = replaces ? pipe.replaceModel(renamed(update, 'fetal-head', () => updateRuns++)) : undefined;
      emit(); // frame 3 arrives while frame 2's run is in flight
      // The other lane has had frame 3 through its model: the gated lane has long seen it too.
      await until(of('enhance', 3));
      if (fails) {
        await until(() => pipe.stats().errors === 1); // frame 3 failed to prepare
        emit(); // frame 4, still during frame 2's run
        await until(of('enhance', 4));
      }
      await until(() => !queued || gated.maxInFlight === 2);
      expect(updateRuns, 'runs of the new model started before the old one landed').toBe(0);
      clearInterval(ticker);
      expect(gated.maxInFlight).toBe(queued ? 2 : 1);
      gated.open();
      await until(of('fetal-head', last));
      if (replaced) {
        await replaced; // the old model is idle: no run of it prepared or in flight
        expect(updateRuns).toBe(1); // frame 3
      }
      await pipe.stop();
      const diag = results.filter((r) => r.modelId === 'fetal-head');
      expect(diag.map((r) => r.seq)).toEqual([0, 1, 2, last]);
      expect(gated.overwritten, 'frames prepared into a buffer not yet analysed').toEqual([]);
      for (const r of results) {
        const want = SIZES[r.seq % 3]!;
        const hc = (r.result as FetalHeadResult).hcMm!;
        expect(Math.abs(hc - want) / want, `${r.modelId} frame ${r.seq}: HC ${hc.toFixed(1)} mm, drawn ${want} mm`).toBeLessThan(0.04);
      }
      // Every result's finer steps were traced, its queue split into the source's part and the slot's.
      const three = stages.find((s) => s.modelId === 'fetal-head' && s.seq === last)!;
      expect(three).toBeDefined();
      // Checked against this test's own clock: the source's part lies between the frame's emission and its result.
      expect(three.sourceMs).toBeGreaterThanOrEqual(0);
      expect(three.slotMs).toBeGreaterThanOrEqual(0);
      expect(three.sourceMs).toBeLessThanOrEqual(resultAt.get(last)! - emittedAt.get(last)!);
      expect(pipe.stats().errors).toBe(fails ? 1 : 0);
    });
  }
});
