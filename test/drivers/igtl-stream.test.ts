/**
 * The igtl driver against an OpenIGTLink peer written here (node:net on loopback, real sockets): a peer that
 * goes quiet, a big body in small writes, a matrix without scale, and error counts across reconnects.
 */
import { type Server, type Socket, createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IgtlSource } from '../../drivers/igtl/igtl.js';
import { HEADER_SIZE, IgtlStreamParser, crc64, encodeImageMessage } from '../../drivers/igtl/protocol.js';
import type { Frame } from '../../src/capture/frame.js';
import { Bus } from '../../src/pipeline/bus.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { pipelineHeartbeat } from '../../src/service/heartbeat.js';
import { ServiceLifecycle } from '../../src/service/lifecycle.js';
import { SystemdNotifier } from '../../src/service/notify.js';

const image = (fill: number, w = 32, h = 24): Buffer => encodeImageMessage(new Uint8Array(w * h).fill(fill), w, h, { spacing: [0.2, 0.2] });

/** A peer: `onConnection(socket, n)` for the n-th connection (from 1); every socket is kept to be closed. */
async function peer(onConnection: (s: Socket, n: number) => void): Promise<{ port: number; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    onConnection(s, sockets.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server, sockets };
}

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function closing(p: { server: Server; sockets: Socket[] }): void {
  cleanups.push(() => {
    for (const s of p.sockets) s.destroy();
    return new Promise((r) => p.server.close(r));
  });
}

describe('igtl: a peer that connects and goes quiet', () => {
  it('leaves running within signalLossMs, the watchdog keeps pinging, frames resume when the peer sends again', async () => {
    let release = (): void => {};
    const resumed = new Promise<void>((r) => (release = r));
    const p = await peer((s, n) => {
      const send = (k: number): void => {
        for (let i = 0; i < k; i++) s.write(image(10 * Math.min(n, 2) + i));
      };
      if (n === 1)
        send(3); // then silence, the connection kept open
      else void resumed.then(() => !s.destroyed && send(2)); // later connections: silent until the test says
    });
    closing(p);
    const pipeline = new Pipeline(new Bus(), []);
    const src = new IgtlSource('main', { port: p.port, signalLossMs: 300, reconnectInitialMs: 50, reconnectMaxMs: 100 });
    const frames: Frame[] = [];
    await pipeline.start({ id: src.id, driver: src.driver, health: () => src.health(), stop: () => src.stop(), start: (l, o) => src.start((f) => (frames.push(f), l(f)), o) });
    cleanups.push(() => pipeline.stop());
    let skewMs = 0;
    const life = new ServiceLifecycle({ notifier: new SystemdNotifier({ env: {} }), heartbeat: pipelineHeartbeat(() => pipeline.heartbeat()), staleMs: 1000, now: () => Date.now() + skewMs });

    await vi.waitFor(() => expect(frames.length).toBe(3), { timeout: 5000, interval: 20 });
    expect(src.health().state).toBe('running');
    await vi.waitFor(() => expect(src.health().state).not.toBe('running'), { timeout: 3000, interval: 20 });
    expect(src.health().lastError).toMatch(/no IMAGE for 300 ms/);
    expect(pipeline.heartbeat().framesExpected).toBe(false);
    life.startupComplete('test');
    expect(life.state).toBe('ready');
    skewMs = 60_000; // a minute after the last frame: frames are not due, so pings go on
    expect(life.judge()).toMatchObject({ ok: true, kind: 'idle' });

    skewMs = 0;
    release();
    await vi.waitFor(() => expect(frames.length).toBe(5), { timeout: 5000, interval: 20 }); // the peer's next connection streams
    expect(frames.map((f) => f.data[0])).toEqual([10, 11, 12, 20, 21]);
    expect(frames[4]!.data.length).toBe(32 * 24);
    expect(src.health().state).toBe('running');
    expect(life.judge()).toMatchObject({ ok: true, kind: 'live' });
  });

  it('a peer that never sends IMAGE does not hold READY back while model results are due', async () => {
    const p = await peer(() => {});
    closing(p);
    const src = new IgtlSource('main', { port: p.port, signalLossMs: 300, reconnectInitialMs: 50, reconnectMaxMs: 100 });
    await src.start(() => {});
    cleanups.push(() => src.stop());
    await vi.waitFor(() => expect(p.sockets.length).toBeGreaterThan(0), { timeout: 3000, interval: 20 });
    // as the pipeline's heartbeat: frames due while the source is running; results due with them (models loaded)
    const life = new ServiceLifecycle({
      notifier: new SystemdNotifier({ env: {} }),
      heartbeat: { lastFrameAt: () => 0, lastResultAt: () => 0, framesExpected: () => src.health().state === 'running' },
      readyPollMs: 20,
    });
    life.startupComplete('test');
    await vi.waitFor(() => expect(life.state).toBe('ready'), { timeout: 3000, interval: 20 });
    expect(src.health()).toMatchObject({ connected: false, framesDelivered: 0 });
    await life.stopping('test');
  });
});

describe('igtl: a large body in small chunks', () => {
  it('each byte is copied a bounded number of times (one body buffer, no re-concatenation)', () => {
    const w = 2048;
    const h = 1024; // 2 MiB of pixels
    const msg = encodeImageMessage(
      new Uint8Array(w * h).map((_, i) => i % 251),
      w,
      h,
    );
    const allocated: number[] = [];
    const count = <K extends 'concat' | 'alloc' | 'allocUnsafe' | 'allocUnsafeSlow' | 'from'>(k: K): void => {
      const orig = Buffer[k] as (...a: unknown[]) => Buffer;
      vi.spyOn(Buffer, k).mockImplementation(((...a: unknown[]) => {
        const b = orig.apply(Buffer, a);
        allocated.push(b.length);
        return b;
      }) as never);
    };
    (['concat', 'alloc', 'allocUnsafe', 'allocUnsafeSlow', 'from'] as const).forEach(count);
    const p = new IgtlStreamParser();
    const got = [];
    try {
      for (let o = 0; o < msg.length; o += 4096) got.push(...p.push(msg.subarray(o, o + 4096)));
    } finally {
      vi.restoreAllMocks();
    }
    expect(got.length).toBe(1);
    expect(got[0]!.content[72 + 1000]).toBe(1000 % 251);
    const total = allocated.reduce((a, b) => a + b, 0);
    // the old parser concatenated the whole buffer on every 4 KiB chunk: ~256× the message in copies
    expect(total).toBeLessThanOrEqual(msg.length + 4096);
  });

  it('a frame handed downstream is not overwritten by the following messages', () => {
    const p = new IgtlStreamParser();
    const stream = Buffer.concat([image(1), image(2), image(3)]);
    const got = [];
    for (let o = 0; o < stream.length; o += 100) got.push(...p.push(stream.subarray(o, o + 100)));
    expect(got.map((m) => m.content[72])).toEqual([1, 2, 3]);
    expect(got.every((m) => m.content.subarray(72).every((v) => v === m.content[72]))).toBe(true);
  });
});

function withMatrix(msg: Buffer, vals: number[]): Buffer {
  const content = msg.subarray(HEADER_SIZE);
  vals.forEach((v, i) => content.writeFloatBE(v, 12 + 4 * i));
  const [hi, lo] = crc64(content);
  msg.writeUInt32BE(hi, 50);
  msg.writeUInt32BE(lo, 54);
  return msg;
}

describe('igtl: spacing is never a guess', () => {
  it('a zero or NaN matrix gives frames without spacing or orientation; a real one gives its spacing', async () => {
    const msgs = [withMatrix(image(1), [0, 0, 0, 0, 0, 0, 0, 0, 1]), withMatrix(image(2), [NaN, 0, 0, 0, NaN, 0, 0, 0, 1]), withMatrix(image(3), [Infinity, 0, 0, 0, 0.5, 0, 0, 0, 1]), image(4)];
    const p = await peer((s) => msgs.forEach((m) => s.write(m)));
    closing(p);
    const src = new IgtlSource('main', { port: p.port });
    const frames: Frame[] = [];
    await src.start((f) => frames.push(f));
    cleanups.push(() => src.stop());
    await vi.waitFor(() => expect(frames.length).toBe(4), { timeout: 5000, interval: 20 });
    expect(frames.map((f) => f.pixelSpacing)).toEqual([undefined, undefined, undefined, { x: expect.closeTo(0.2, 6), y: expect.closeTo(0.2, 6) }]);
    expect(frames.map((f) => f.orientation)).toEqual([undefined, undefined, undefined, [1, 0, 0, 0, 1, 0]]);
  });
});

describe('igtl: error counts across reconnects', () => {
  it('never go backwards when the connection is made again', async () => {
    const bad = image(5);
    bad[HEADER_SIZE + 80] = bad[HEADER_SIZE + 80]! ^ 0xff; // CRC no longer matches
    const p = await peer((s, n) => {
      s.write(Buffer.concat([bad, image(n)]));
      if (n < 3) s.end();
    });
    closing(p);
    const src = new IgtlSource('main', { port: p.port, reconnectInitialMs: 20, reconnectMaxMs: 100 });
    const seen: number[] = [];
    let frames = 0;
    await src.start(() => {
      frames++;
      seen.push(src.health().errors);
    });
    cleanups.push(() => src.stop());
    await vi.waitFor(() => expect(frames).toBe(3), { timeout: 5000, interval: 20 });
    expect(seen).toEqual([1, 2, 3]);
    expect(src.streamStats().crcErrors).toBe(3);
  });
});
