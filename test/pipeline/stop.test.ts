import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import type { Frame } from '../../src/capture/frame.js';
import type { FrameSource } from '../../src/capture/source.js';
import type { InferenceEngine } from '../../src/inference/engine.js';
import { type ModelSession, openModelSession } from '../../src/inference/session.js';
import { findModelPackage } from '../../src/models/package.js';
import { Bus, type BusEvents } from '../../src/pipeline/bus.js';
import { ModelRunner, type Slot } from '../../src/pipeline/model-runner.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { packageRoot } from '../../src/util/package-root.js';

const options = { providers: ['cpu' as const], precision: 'int8' as const, intraOpThreads: 1, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 0 };

/** A source whose stop() leaves its listener in place: a driver that sends on after stopping (careless, or abandoned past its stop deadline). */
function carelessSource(id = 'careless'): { source: FrameSource; emit: () => void } {
  const p = new SimulatedProbe(id, { headCircumferenceMm: 230 });
  p.prepare();
  const data = new Uint8Array(640 * 480);
  p.render(0, data);
  let seq = 0;
  let listener: ((f: Frame) => void) | undefined;
  const emit = (): void =>
    listener?.({
      width: 640,
      height: 480,
      channels: 1,
      data,
      pixelSpacing: { x: p.pixelSpacingMm, y: p.pixelSpacingMm },
      sourceId: id,
      region: p.region,
      seq: seq++,
      timestampMs: performance.now(),
    });
  const source: FrameSource = {
    id,
    driver: 'test-careless',
    async start(l) {
      listener = l;
    },
    async stop() {},
    health: () => ({ driver: 'test-careless', state: 'running', connected: true, fps: 0, framesDelivered: seq, errors: 0, lastError: undefined }),
  };
  return { source, emit };
}

/** A model whose runs wait for `open()` before running. */
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

/** `session` under another id: a second model beside the first. */
function renamed(session: InferenceEngine, id: string): InferenceEngine {
  return {
    pkg: session.pkg,
    provider: session.provider,
    file: session.file,
    attempts: session.attempts,
    id,
    version: session.version,
    inputData: session.inputData,
    runMs: session.runMs,
    run: (slot) => session.run(slot),
    release: async () => {},
  };
}

/** Every bus event, in order, and a wait on a condition over them (checked at each event and every few ms). */
type Seen = { seq?: number; modelId?: string; sourceId?: string };
function record(bus: Bus): { events: Array<[keyof BusEvents, Seen]>; until: (ok: () => boolean) => Promise<void> } {
  const events: Array<[keyof BusEvents, Seen]> = [];
  for (const topic of ['frame', 'result', 'stages', 'run', 'model', 'probe'] as const) bus.on(topic, (e) => events.push([topic, e as Seen]));
  const until = (ok: () => boolean): Promise<void> =>
    new Promise((resolve) => {
      const t = setInterval(() => {
        if (ok()) {
          clearInterval(t);
          resolve();
        }
      }, 2);
    });
  return { events, until };
}

describe('a stopping pipeline', () => {
  let session: ModelSession;
  beforeAll(async () => {
    session = await openModelSession(findModelPackage(join(packageRoot(), 'models'), 'fetal-head'), options);
  });
  afterAll(async () => session?.release());

  it('does not publish the run in flight, runs no frame that waited behind it, and lets nothing reach the bus after stop() resolved', async () => {
    const bus = new Bus();
    const held = new HeldRunner(session);
    const pipe = new Pipeline(bus, [{ runner: held, everyN: 1 }], { concurrentRuns: 2 });
    const { events, until } = record(bus);
    const { source, emit } = carelessSource();
    await pipe.start(source);
    emit(); // frame 0: its run is held
    await until(() => held.started === 1);
    emit(); // frame 1 waits in the lane's slot
    const stopping = pipe.stop();
    held.open(); // frame 0's run lands while the pipeline stops
    await stopping;
    const atStop = events.length;
    emit(); // the source sends on after its stop
    expect(events.filter(([t]) => t === 'frame').map(([, e]) => e.seq)).toEqual([0, 1]);
    expect(
      events.filter(([t]) => t !== 'frame'),
      'published after stop() was called',
    ).toEqual([]);
    expect(held.started, 'a frame was taken after stop() was called').toBe(1);
    expect(events.length, 'reached the bus after stop() resolved').toBe(atStop);
    expect(pipe.stats().framesIn).toBe(2);
  });

  it('restarted, runs nothing left from before the stop: the first result is for the new source’s first frame', async () => {
    const bus = new Bus();
    const held = new HeldRunner(session);
    const pipe = new Pipeline(bus, [{ runner: held, everyN: 1 }], { concurrentRuns: 2 });
    const { events, until } = record(bus);
    const first = carelessSource('first');
    await pipe.start(first.source);
    first.emit(); // frame 0: its run is held
    await until(() => held.started === 1);
    first.emit(); // frame 1 waits in the lane's slot when the pipeline stops
    const stopping = pipe.stop();
    held.open();
    await stopping;
    const second = carelessSource('second');
    await pipe.start(second.source);
    second.emit();
    await until(() => events.some(([t]) => t === 'result'));
    const results = events.filter(([t]) => t === 'result').map(([, e]) => `${e.sourceId}#${e.seq}`);
    expect(results, 'a frame from before the stop was run after the restart').toEqual(['second#0']);
    await pipe.stop();
  });

  it('a start() called while a stop() is still under way waits for it (the old lanes never see the publication reopen)', async () => {
    const bus = new Bus();
    const held = new HeldRunner(session);
    const pipe = new Pipeline(bus, [{ runner: held, everyN: 1 }], { concurrentRuns: 2 });
    const { events, until } = record(bus);
    const first = carelessSource('first');
    await pipe.start(first.source);
    first.emit(); // frame 0: its run is held through the stop and the restart
    await until(() => held.started === 1);
    const stopping = pipe.stop(); // not awaited before the restart
    const second = carelessSource('second');
    const starting = pipe.start(second.source);
    held.open(); // frame 0's run lands now
    await Promise.all([stopping, starting]);
    second.emit();
    await until(() => events.some(([t]) => t === 'result'));
    const results = events.filter(([t]) => t === 'result').map(([, e]) => `${e.sourceId}#${e.seq}`);
    expect(results, 'a run from before the stop was published after the restart').toEqual(['second#0']);
    await pipe.stop();
  });

  it('counts per model the frames that arrived while it could not take them', async () => {
    const bus = new Bus();
    const held = new HeldRunner(session);
    const fast = new ModelRunner(renamed(session, 'enhance'));
    const pipe = new Pipeline(
      bus,
      [
        { runner: held, everyN: 1 },
        { runner: fast, everyN: 1 },
      ],
      { concurrentRuns: 2 },
    );
    const { events, until } = record(bus);
    const { source, emit } = carelessSource();
    await pipe.start(source);
    // Each frame is sent once the fast model's result for the one before has landed: it skips none. The held
    // model takes frame 0 and is busy with it; frames 1–3 are replaced in its slot by the next, 4 still waits.
    for (let seq = 0; seq < 5; seq++) {
      emit();
      await until(() => events.some(([t, e]) => t === 'result' && e.modelId === 'enhance' && e.seq === seq));
    }
    const models = pipe.stats().models;
    expect(models['fetal-head']).toEqual({ runs: 0, errors: 0, framesSkipped: 3 });
    expect(models['enhance']).toEqual({ runs: 5, errors: 0, framesSkipped: 0 });
    held.open();
    await pipe.stop();
  });
});
