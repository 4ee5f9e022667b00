/**
 * PUT /api/source/region right after a source switch is drawn on the new source's picture: it waits (up to
 * 3 s) for the new source's first frame, as a calibration does (2bce6a7), instead of taking the previous
 * source's frame size, and is refused with SONO_REGION_INVALID when none comes. Before, the region was saved
 * with the previous source's size (64×64 here) under the new source's key, so it never applied to the new
 * source's 96×80 frames, and a silent new source got a region too. Real daemon, real OpenIGTLink servers (TCP).
 */
import { type Server, type Socket, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeImageMessage } from '../../drivers/igtl/protocol.js';
import type { Frame } from '../../src/capture/frame.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { getJson, putJson } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

interface Scanner {
  port: number;
  /** Starts streaming (to every connection, now and later). */
  go(): void;
  close(): Promise<void>;
}

/** An OpenIGTLink server streaming w×h IMAGE messages every 25 ms once `go` is called (at once when `streaming`). */
async function scanner(w: number, h: number, streaming: boolean): Promise<Scanner> {
  const sockets = new Set<Socket>();
  const px = new Uint8Array(w * h).fill(90);
  let on = streaming;
  const server: Server = createServer((c) => {
    sockets.add(c);
    const t = setInterval(() => on && c.write(encodeImageMessage(px, w, h, { spacing: [0.3, 0.3] })), 25);
    c.on('error', () => {});
    c.on('close', () => {
      clearInterval(t);
      sockets.delete(c);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    go: () => (on = true),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

interface RegionState {
  origin: string;
  region: { x: number; y: number; width: number; height: number } | null;
  frame: { width: number; height: number } | null;
  source?: string;
}
const RECT = { x: 8, y: 8, width: 48, height: 40 };

describe('PUT /api/source/region right after a source switch', () => {
  const dir = tempDir('sonoedge-region-switch-');
  let a: Scanner;
  let d: TestDaemon;
  const to = (port: number) => putJson(d.url + '/api/source', { driver: 'igtl', settings: { host: '127.0.0.1', port } });
  const frameOfSize = (w: number, h: number): Promise<Frame> =>
    new Promise((resolve) => {
      const off = d.runtime.bus.on('frame', (f) => f.width === w && f.height === h && (off(), resolve(f)));
    });

  beforeAll(async () => {
    a = await scanner(64, 64, true);
    d = await startTestDaemon(dir, { models: [], source: { driver: 'igtl', id: 'main' }, drivers: { igtl: { host: '127.0.0.1', port: a.port } } });
  });
  afterAll(async () => {
    await d.close();
    await a.close();
  });

  it("waits for the new source's first frame and draws the region on its size, not the previous source's", async () => {
    await to(a.port);
    await frameOfSize(64, 64);
    const b = await scanner(96, 80, false); // connects, then streams only when the test says
    try {
      expect((await to(b.port)).status).toBe(200);
      // B streams once the region request is waiting for a frame (or has answered without waiting)
      const on = vi.spyOn(d.runtime.bus, 'on');
      const put = putJson<RegionState & { code?: string; message?: string }>(d.url + '/api/source/region', { rect: RECT }).finally(() => b.go());
      await vi.waitFor(() => expect(on.mock.calls.some(([topic]) => topic === 'frame')).toBe(true), { timeout: 5000, interval: 10 }).catch(() => undefined);
      on.mockRestore();
      b.go();
      const r = await put;
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({ origin: 'set', region: RECT, frame: { width: 96, height: 80 }, source: `igtl@127.0.0.1:${b.port}/*` });
      // and B's frames carry it (a region drawn on 64×64 would apply to none of them)
      expect((await frameOfSize(96, 80)).region).toMatchObject(RECT);
    } finally {
      await b.close();
    }
  });

  it('refuses, coded, when the new source sends no frame within 3 s, and stores nothing', async () => {
    await to(a.port);
    await frameOfSize(64, 64);
    const silent = await scanner(96, 80, false);
    try {
      expect((await to(silent.port)).status).toBe(200);
      const t0 = Date.now();
      const r = await putJson<{ code: string; message: string; details?: Record<string, unknown> }>(d.url + '/api/source/region', { rect: RECT });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('SONO_REGION_INVALID');
      expect(r.body.message).toMatch(new RegExp(`No frame has arrived from igtl@127\\.0\\.0\\.1:${silent.port}/\\* within 3 s.*Wait for the live picture`));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
      const now = await getJson<RegionState>(d.url + '/api/source/region');
      expect(now.body).toMatchObject({ region: null, frame: null, source: `igtl@127.0.0.1:${silent.port}/*` });
    } finally {
      await silent.close();
    }
  });
});
