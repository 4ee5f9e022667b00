/**
 * The enhanced view over the real WebSocket of a real daemon: the enhancer does not run until a viewer
 * switches it on, then that viewer (and only it) gets kind-1 frames at the raw frames' size and seq,
 * measurements keep coming from the fetal-head model on raw frames, and switching off stops the model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../../src/app/daemon.js';
import { type DecodedFrameHeader, decodeFrameHeader } from '../../src/server/frame-message.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startTestDaemon, waitForHealth } from '../helpers/daemon.js';
import { liveHeaders } from '../helpers/auth.js';
import { tempDir } from '../helpers/tmp.js';

const have = existsSync(join(packageRoot(), 'models', 'enhance', 'manifest.json'));
if (!have) console.warn('SKIPPED live enhancement test: no models/enhance package');

interface Viewer {
  ws: WebSocket;
  frames: DecodedFrameHeader[];
  /** the last message of each kind, as sent, and the recent raw ones by seq */
  last: Record<number, Buffer>;
  raw: Map<number, Buffer>;
  texts: Array<Record<string, unknown>>;
  wait(pred: () => boolean, ms?: number): Promise<void>;
}

async function connect(url: string): Promise<Viewer> {
  const ws = new WebSocket(url.replace('http', 'ws') + '/api/live', { headers: liveHeaders(url) });
  const v: Viewer = {
    ws, frames: [], texts: [], last: {}, raw: new Map(),
    wait: async (pred, ms = 20000) => {
      const t0 = Date.now();
      while (!pred()) {
        if (Date.now() - t0 > ms) throw new Error(`timed out: ${v.frames.length} frames, ${v.texts.length} texts`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      const h = decodeFrameHeader(data);
      v.frames.push(h);
      v.last[h.kind] = Buffer.from(data);
      if (h.kind === 0) v.raw.set(h.seq, Buffer.from(data));
    }
    else v.texts.push(JSON.parse(data.toString()) as Record<string, unknown>);
  });
  await new Promise((r) => ws.once('open', r));
  return v;
}

describe.skipIf(!have)('live enhanced view (display option)', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir(), { models: [{ id: 'fetal-head', everyN: 1 }, { id: 'enhance', everyN: 1 }] });
    await waitForHealth(d.url, 200);
  }, 60_000);
  afterAll(async () => d?.close());

  const runs = (): number => d.runtime.pipeline!.stats().models.enhance!.runs;

  it('runs only while a viewer has it on, and sends enhanced frames to that viewer only', async () => {
    const a = await connect(d.url);
    const b = await connect(d.url);
    await a.wait(() => a.frames.length >= 15 && a.texts.some((t) => t.type === 'result'));
    expect(runs()).toBe(0); // nobody asked: no CPU spent on it
    expect(a.frames.every((f) => f.kind === 0)).toBe(true);

    a.ws.send(JSON.stringify({ type: 'enhance', on: true }));
    await a.wait(() => a.texts.some((t) => t.type === 'enhance'));
    expect(a.texts.find((t) => t.type === 'enhance')).toEqual({ type: 'enhance', on: true, available: true });
    await a.wait(() => a.frames.filter((f) => f.kind === 1).length >= 5);
    const enhanced = a.frames.filter((f) => f.kind === 1);
    const rawSeqs = new Set(a.frames.filter((f) => f.kind === 0).map((f) => f.seq));
    for (const f of enhanced) {
      expect([f.width, f.height, f.pixelOffset]).toEqual([640, 480, 44]);
      expect(rawSeqs.has(f.seq)).toBe(true); // the enhanced image of a raw frame this viewer also got
    }
    // raw frames and the fetal-head measurements keep coming meanwhile
    const n = a.texts.length;
    await a.wait(() => a.texts.slice(n).some((t) => t.type === 'result' && t.modelId === 'fetal-head'));
    expect(a.frames.filter((f) => f.kind === 0).length).toBeGreaterThan(enhanced.length);
    const er = a.texts.find((t) => t.type === 'result' && t.modelId === 'enhance') as { result: Record<string, unknown> } | undefined;
    expect(er?.result).toMatchObject({ task: 'enhance', enhanced: true, image: { width: 640, height: 480 } });
    // the other viewer never asked
    expect(b.frames.some((f) => f.kind === 1)).toBe(false);
    expect(b.texts.some((t) => t.type === 'result' && t.modelId === 'enhance')).toBe(false);

    a.ws.send(JSON.stringify({ type: 'enhance', on: false }));
    await a.wait(() => a.texts.filter((t) => t.type === 'enhance').length >= 2);
    await new Promise((r) => setTimeout(r, 400));
    const stopped = runs();
    await new Promise((r) => setTimeout(r, 800));
    expect(runs()).toBe(stopped);
    a.ws.close();
    b.ws.close();
  }, 60_000);

  it('an enhanced frame cannot be captured into a record; a raw one is, without the enhance result', async () => {
    // the exam first: a viewer connected after it receives only frames the exam may take (frames the daemon
    // received before an exam began are refused for it: test/server/frame-before-exam.test.ts)
    const exam = (await (await fetch(d.url + '/api/exams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { id: string };
    const a = await connect(d.url);
    try {
      await captureBoth(a, exam.id);
    } finally {
      a.ws.close();
    }
  }, 60_000);

  async function captureBoth(a: Viewer, examId: string): Promise<void> {
    a.ws.send(JSON.stringify({ type: 'enhance', on: true }));
    await a.wait(() => a.frames.some((f) => f.kind === 1));
    const post = (buf: Buffer): Promise<Response> => fetch(`${d.url}/api/exams/${examId}/captures/frame?operator=t`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(buf) });
    const refused = await post(a.last[1]!);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(/enhanced frame \(display only\); capture the raw frame/);
    // a raw frame the fetal-head model has a result for (the enhancer ran on it too)
    const enhancedSeqs = new Set(a.frames.filter((f) => f.kind === 1).map((f) => f.seq));
    let seq: number | undefined;
    await a.wait(() => {
      const r = a.texts.find((t) => t.type === 'result' && t.modelId === 'fetal-head' && enhancedSeqs.has(t.seq as number) && a.raw.has(t.seq as number));
      seq = r?.seq as number | undefined;
      for (const f of a.frames) if (f.kind === 1) enhancedSeqs.add(f.seq);
      return seq !== undefined;
    });
    const ok = await post(a.raw.get(seq!)!);
    expect(ok.status, await ok.clone().text()).toBe(201);
    const capture = (await ok.json()) as { results: Array<{ modelId: string }> };
    expect(capture.results.map((r) => r.modelId)).toContain('fetal-head');
    expect(capture.results.map((r) => r.modelId)).not.toContain('enhance');
  }

  it('a viewer that disconnects with it on stops the model', async () => {
    const a = await connect(d.url);
    a.ws.send(JSON.stringify({ type: 'enhance', on: true }));
    await a.wait(() => a.frames.some((f) => f.kind === 1));
    a.ws.close();
    await new Promise((r) => setTimeout(r, 500));
    const stopped = runs();
    await new Promise((r) => setTimeout(r, 800));
    expect(runs()).toBe(stopped);
  }, 60_000);
});

describe('live enhanced view without an enhancement model', () => {
  let d: Daemon;
  beforeAll(async () => {
    d = await startTestDaemon(tempDir(), { models: [{ id: 'fetal-head', everyN: 1 }] }); // the default config has the enhancer
    await waitForHealth(d.url, 200);
  }, 60_000);
  afterAll(async () => d?.close());

  it('answers that it is not available, and the raw view goes on', async () => {
    const a = await connect(d.url);
    a.ws.send(JSON.stringify({ type: 'enhance', on: true }));
    await a.wait(() => a.texts.some((t) => t.type === 'enhance'));
    expect(a.texts.find((t) => t.type === 'enhance')).toMatchObject({ type: 'enhance', on: false, available: false, reason: expect.stringMatching(/No enhancement model/) });
    const n = a.frames.length;
    await a.wait(() => a.frames.length >= n + 5);
    expect(a.frames.every((f) => f.kind === 0)).toBe(true);
    a.ws.close();
  }, 60_000);
});
