import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { type ModelSession, openModelSession } from '../../src/inference/session.js';
import { findModelPackage } from '../../src/models/package.js';
import { Bus, type ResultEvent } from '../../src/pipeline/bus.js';
import { ModelRunner, type Slot } from '../../src/pipeline/model-runner.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { packageRoot } from '../../src/util/package-root.js';

const options = { providers: ['cpu' as const], precision: 'int8' as const, intraOpThreads: 1, allowSpinning: false, deviceId: 0, tensorrt: { fp16: false, int8: false }, warmupRuns: 0 };

/** The real fetal-head model, whose runs wait for `open()` before running (from then on it runs freely). */
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

/** Resolves once `ok()` holds (checked every few ms). */
const until = (ok: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const t = setInterval(() => {
      if (ok()) {
        clearInterval(t);
        resolve();
      }
    }, 2);
  });

describe('a source switch', () => {
  let session: ModelSession;
  beforeAll(async () => {
    session = await openModelSession(findModelPackage(join(packageRoot(), 'models'), 'fetal-head'), options);
  });
  afterAll(async () => session?.release());

  it('publishes no result of the old source’s frames once the new source is current (its sequence numbers start again at 0)', async () => {
    const bus = new Bus();
    const held = new HeldRunner(session);
    const pipe = new Pipeline(bus, [{ runner: held, everyN: 1 }], { concurrentRuns: 1 });
    const a = new SimulatedProbe('a', { headCircumferenceMm: 175, fps: 60 });
    const b = new SimulatedProbe('b', { headCircumferenceMm: 330, fps: 60 });
    const afterSwitch: ResultEvent[] = [];
    let framesOfA = 0;
    bus.on('frame', (f) => f.sourceId === 'a' && framesOfA++);
    bus.on('result', (e) => pipe.source === b && afterSwitch.push(e));
    await pipe.start(a);
    // a run of A's frame is held in flight, and a later frame of A waits in the lane's slot
    await until(() => held.started === 1 && framesOfA >= 3);
    await pipe.switchSource(b);
    held.open();
    await until(() => afterSwitch.filter((e) => e.sourceId === 'b').length >= 3);
    await pipe.stop();
    const old = afterSwitch.filter((e) => e.sourceId !== 'b').map((e) => `${e.sourceId}#${e.seq} hc ${(e.result as { hcMm?: number }).hcMm?.toFixed(0)} mm`);
    expect(old, 'results of the old source published on the new one').toEqual([]);
    // the new source's results are its own: numbered from 0, of its own 330 mm head
    const first = afterSwitch[0]!;
    expect(first.seq).toBeLessThan(10);
    expect(first.result).toMatchObject({ task: 'fetal-head', detected: true });
    expect((first.result as { hcMm: number }).hcMm).toBeGreaterThan(290);
    expect(pipe.stats().models['fetal-head']!.errors).toBe(0);
  });
});
