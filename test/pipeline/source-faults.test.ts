import { describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import { SourceScope } from '../../src/capture/source-scope.js';
import type { FrameListener, FrameSource, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { changedKeys } from '../../src/config/diff.js';
import { Bus } from '../../src/pipeline/bus.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

const quiet = { warn: () => {}, error: () => {} };

/** Reports a fault from inside `start`, before it resolves: a switch to it must fail. */
class FaultsWhileStarting implements FrameSource {
  readonly id = 'x';
  readonly driver = 'faults-while-starting';
  stopped = false;
  async start(_l: FrameListener, o?: StartOptions): Promise<void> {
    o?.onFault?.('the device answered garbage');
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  health(): SourceHealth {
    return { driver: this.driver, state: 'running', connected: true, fps: 0, framesDelivered: 0, errors: 0, lastError: undefined };
  }
}

describe('sources in their scope', () => {
  it("a driver's timers run in its scope; the pipeline's frame handling does not", async () => {
    const scope = new SourceScope();
    const bus = new Bus();
    const pipe = new Pipeline(bus, [], { scope, log: quiet });
    const probe = new SimulatedProbe('p', { fps: 60, width: 64, height: 64 });
    const inBus: Array<FrameSource | undefined> = [];
    bus.on('frame', () => inBus.push(scope.current()));
    let inDriver: FrameSource | undefined;
    const original = probe.stop.bind(probe);
    // the guard calls stop from the driver's own context: record what the scope says there
    probe.stop = async () => {
      inDriver ??= scope.current();
      return original();
    };
    await pipe.start(probe);
    await new Promise((r) => setTimeout(r, 200));
    (probe as unknown as { s: unknown }).s = undefined; // the next frame throws inside the driver's own timer
    await new Promise((r) => setTimeout(r, 200));
    expect(inBus.length).toBeGreaterThan(3);
    expect(inBus.every((s) => s === undefined)).toBe(true);
    expect(inDriver).toBe(probe);
    expect(pipe.source?.health()).toMatchObject({ driver: 'simulated', state: 'failed', connected: false });
    expect(pipe.source?.health().lastError).toMatch(/^The simulated driver failed in its frame timer: /);
    expect(pipe.source?.health().framesDelivered).toBeGreaterThan(3);
    expect(pipe.stats().sourceFaults).toBe(1);
    await pipe.stop();
  });

  it('a switch to a source that faults while starting fails, and the old source keeps running', async () => {
    const pipe = new Pipeline(new Bus(), [], { scope: new SourceScope(), log: quiet });
    const old = new SimulatedProbe('p', { fps: 30, width: 64, height: 64 });
    await pipe.start(old);
    const bad = new FaultsWhileStarting();
    await expect(pipe.switchSource(bad)).rejects.toThrow('the device answered garbage');
    expect(bad.stopped).toBe(true);
    expect(pipe.source).toBe(old);
    expect(old.health().state).toBe('running');
    await pipe.stop();
  });
});

describe('config differences', () => {
  it('names each changed key by its path, arrays whole', () => {
    const a = { source: { driver: 'simulated', id: 'probe' }, drivers: { replay: { path: 'a', fps: 10 } }, models: [{ id: 'm', everyN: 1 }], server: { port: 1 } };
    const b = { source: { driver: 'replay', id: 'probe' }, drivers: { replay: { path: 'a', fps: 12 }, v4l2: {} }, models: [{ id: 'm', everyN: 2 }], server: { port: 1 } };
    expect(changedKeys(a, b)).toEqual(['drivers.replay.fps', 'drivers.v4l2', 'models', 'source.driver']);
    expect(changedKeys(a, structuredClone(a))).toEqual([]);
  });
});
