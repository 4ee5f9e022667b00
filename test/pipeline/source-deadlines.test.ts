import { describe, expect, it } from 'vitest';
import { SimulatedProbe } from '../../drivers/simulated/probe.js';
import type { Frame } from '../../src/capture/frame.js';
import type { FrameListener, FrameSource, SourceHealth, StartOptions } from '../../src/capture/source.js';
import { ErrorCodes, SonoError } from '../../src/errors.js';
import { Bus } from '../../src/pipeline/bus.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';

/** Deadlines short enough for a test; nothing below asserts how long anything took. */
const deadlines = { startMs: 300, stopMs: 300 };

function logSink(): { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void; lines: Array<{ obj: object; msg: string | undefined }> } {
  const lines: Array<{ obj: object; msg: string | undefined }> = [];
  return { lines, warn: (obj, msg) => lines.push({ obj, msg }), error: (obj, msg) => lines.push({ obj, msg }) };
}

function tinyFrame(sourceId: string, seq: number): Frame {
  return { seq, timestampMs: performance.now(), width: 4, height: 4, channels: 1, data: new Uint8Array(16), pixelSpacing: { x: 0.2, y: 0.2 }, sourceId, region: { x: 0, y: 0, width: 4, height: 4 } };
}

/** A driver stuck opening its device: start() never settles. Records the signal it was given and whether stop was asked. */
class NeverStarts implements FrameSource {
  readonly id = 'hung';
  readonly driver = 'never-starts';
  signal: AbortSignal | undefined;
  stopAsked = false;
  start(_l: FrameListener, o?: StartOptions): Promise<void> {
    this.signal = o?.signal;
    return new Promise(() => {});
  }
  async stop(): Promise<void> {
    this.stopAsked = true;
  }
  health(): SourceHealth {
    return { driver: this.driver, state: 'starting', connected: false, fps: 0, framesDelivered: 0, errors: 0, lastError: undefined };
  }
}

/** Starts and hands its listener out; stop() never settles (a wedged USB transfer). */
class NeverStops implements FrameSource {
  readonly id = 'wedged';
  readonly driver = 'never-stops';
  listener: FrameListener | undefined;
  async start(l: FrameListener): Promise<void> {
    this.listener = l;
  }
  stop(): Promise<void> {
    return new Promise(() => {});
  }
  health(): SourceHealth {
    return { driver: this.driver, state: 'running', connected: true, fps: 0, framesDelivered: 0, errors: 0, lastError: undefined };
  }
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof SonoError ? err.code : `not a SonoError: ${String(err)}`;
  }
}

describe('source deadlines', () => {
  it('a driver whose start() never settles does not block a later switch; the old source runs until the next one is in', async () => {
    const log = logSink();
    const bus = new Bus();
    const pipe = new Pipeline(bus, [], { log, sourceDeadlines: deadlines });
    const first = new SimulatedProbe('first', { fps: 30, width: 64, height: 64 });
    await pipe.start(first);
    const hung = new NeverStarts();
    const next = new SimulatedProbe('next', { fps: 30, width: 64, height: 64 });
    const toHung = pipe.switchSource(hung);
    const toNext = pipe.switchSource(next); // queued behind the hung one
    expect(await codeOf(toHung)).toBe(ErrorCodes.SOURCE_START_TIMEOUT);
    await expect(toHung).rejects.toThrow(/Source "never-starts" \(hung\) did not start within 0.3 s/);
    expect(hung.signal?.aborted).toBe(true); // told to give up
    expect(hung.stopAsked).toBe(true); // and stopped, whatever it opened
    await toNext;
    expect(pipe.source).toBe(next);
    expect(first.health().state).toBe('stopped');
    const fromNext = await new Promise<Frame>((resolve) => {
      const off = bus.on('frame', (f) => {
        off();
        resolve(f);
      });
    });
    expect(fromNext.sourceId).toBe('next');
    await pipe.stop();
  });

  it('while a switch to a hung driver waits, the running source keeps delivering', async () => {
    const bus = new Bus();
    const pipe = new Pipeline(bus, [], { log: logSink(), sourceDeadlines: deadlines });
    const first = new SimulatedProbe('first', { fps: 30, width: 64, height: 64 });
    await pipe.start(first);
    const seen: string[] = [];
    bus.on('frame', (f) => seen.push(f.sourceId));
    const toHung = pipe.switchSource(new NeverStarts());
    await codeOf(toHung);
    expect(pipe.source).toBe(first);
    expect(first.health().state).toBe('running');
    const count = seen.length;
    await new Promise<void>((resolve) => {
      const off = bus.on('frame', () => {
        off();
        resolve();
      });
    });
    expect(seen.length).toBeGreaterThan(count);
    expect(new Set(seen)).toEqual(new Set(['first']));
    await pipe.stop();
  });

  it('a first start past its deadline fails with the coded error (the daemon then shows the source failed)', async () => {
    const pipe = new Pipeline(new Bus(), [], { log: logSink(), sourceDeadlines: deadlines });
    expect(await codeOf(pipe.start(new NeverStarts()))).toBe(ErrorCodes.SOURCE_START_TIMEOUT);
    await pipe.stop();
  });

  it('a source whose stop() never settles is abandoned: the switch completes, its frames are ignored, stop() ends', async () => {
    const log = logSink();
    const bus = new Bus();
    const pipe = new Pipeline(bus, [], { log, sourceDeadlines: deadlines });
    const wedged = new NeverStops();
    await pipe.start(wedged);
    const frames: string[] = [];
    bus.on('frame', (f) => frames.push(f.sourceId));
    wedged.listener!(tinyFrame('wedged', 1));
    expect(frames).toEqual(['wedged']);
    const next = new SimulatedProbe('next', { fps: 30, width: 64, height: 64 });
    await pipe.switchSource(next);
    expect(pipe.source).toBe(next);
    expect(log.lines.some((l) => (l.obj as { code?: string }).code === ErrorCodes.SOURCE_STOP_TIMEOUT && /did not stop within 0.3 s; it is abandoned/.test(l.msg ?? ''))).toBe(true);
    wedged.listener!(tinyFrame('wedged', 2)); // a late frame from the abandoned driver
    expect(frames.filter((s) => s === 'wedged')).toEqual(['wedged']);
    await pipe.switchSource(new NeverStops()); // the next switch is not blocked either…
    await pipe.stop(); // …nor is stopping the pipeline
    expect(next.health().state).toBe('stopped');
  });
});
