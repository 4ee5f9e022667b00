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

describe('SourceGuard', () => {
  it('turns a throw or a rejection into one fault: stop called, listener told once, later callbacks ignored', async () => {
    const { SourceGuard } = await import('../../src/capture/source-guard.js');
    let stops = 0;
    const told: string[] = [];
    const g = new SourceGuard('demo', () => {
      stops++;
    });
    g.arm((r) => told.push(r));
    let runs = 0;
    const cb = g.wrap('its data handler', (n: number) => {
      runs++;
      if (n === 2) throw new Error('bad byte');
    });
    cb(1);
    cb(2);
    cb(3);
    expect(runs).toBe(2);
    expect(stops).toBe(1);
    expect(told).toEqual(['The demo driver failed in its data handler: bad byte']);
    const base = { driver: 'demo', state: 'stopped' as const, connected: false, fps: 0, framesDelivered: 7, errors: 1, lastError: undefined };
    expect(g.health(base)).toEqual({ ...base, state: 'failed', errors: 2, lastError: told[0] });
    g.arm(undefined); // a new run starts clean
    expect(g.health(base)).toEqual(base);
    const loop = g.watch('its read loop', Promise.reject(new Error('transfer stalled')));
    await loop;
    expect(g.fault).toBe('The demo driver failed in its read loop: transfer stalled');
    expect(stops).toBe(2);
  });
});

describe('the process-level guard', () => {
  it('blames a source in scope, counts the rest, and exits 70 after a burst of unattributed errors', async () => {
    const { EventEmitter } = await import('node:events');
    const { installFaultGuard } = await import('../../src/pipeline/fault-guard.js');
    const em = new EventEmitter();
    const proc = em as unknown as NodeJS.Process;
    const scope = new SourceScope();
    const pipe = new Pipeline(new Bus(), [], { scope, log: quiet });
    const probe = new SimulatedProbe('p', { fps: 30, width: 64, height: 64 });
    await pipe.start(probe);
    const counts = { attributed: 0, unattributed: 0, lastUnattributed: undefined as string | undefined };
    const exits: number[] = [];
    const off = installFaultGuard({ scope, pipeline: () => pipe, log: { error: () => {}, fatal: () => {} }, counts, maxUnattributed: 3, windowMs: 60_000, exit: (c) => exits.push(c) }, proc);
    scope.run(probe, () => em.emit('uncaughtException', new Error('boom')));
    expect(counts.attributed).toBe(1);
    expect(pipe.source?.health()).toMatchObject({ driver: 'simulated', state: 'failed', lastError: 'Uncaught exception in the simulated driver: boom' });
    for (let i = 0; i < 3; i++) em.emit('unhandledRejection', new Error(`bug ${i}`));
    expect(counts).toMatchObject({ unattributed: 3, lastUnattributed: 'Unhandled promise rejection: bug 2' });
    expect(exits).toEqual([]);
    em.emit('uncaughtException', new Error('bug 3'));
    expect(exits).toEqual([70]);
    off();
    expect(em.listenerCount('uncaughtException')).toBe(0);
    await pipe.stop();
  });
});

describe('switching sources', () => {
  it('runs concurrent switches one at a time, in order: one source runs at the end, the others are stopped', async () => {
    const pipe = new Pipeline(new Bus(), [], { log: quiet });
    const first = new SimulatedProbe('p', { fps: 30, width: 64, height: 64 });
    await pipe.start(first);
    const a = new SimulatedProbe('a', { fps: 30, width: 64, height: 64 });
    const b = new SimulatedProbe('b', { fps: 30, width: 64, height: 64 });
    const c = new SimulatedProbe('c', { fps: 30, width: 64, height: 64 });
    await Promise.all([pipe.switchSource(a), pipe.switchSource(b), pipe.switchSource(c)]);
    expect(pipe.source).toBe(c);
    expect([first, a, b, c].map((s) => s.health().state)).toEqual(['stopped', 'stopped', 'stopped', 'running']);
    await pipe.stop();
  });
});
