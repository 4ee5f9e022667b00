import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';
import { authorizeRequestsTo } from '../helpers/auth.js';

/**
 * Sends `total` bytes of octet-stream in 1 MiB chunks, going on after an early answer as an attacker
 * would (until the server closes the socket); `midway` runs once the first MiB is out, `after` once sending stopped.
 */
function floodUpload(port: number, path: string, total: number, midway: () => Promise<void>, after: () => Promise<void>, auth: Record<string, string> = {}): Promise<{ status: number; body: string; sentWhenAnswered: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answer: { status: number; body: string; sentWhenAnswered: number } | undefined;
    let stopped = false;
    const req = request({ port, path, method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': total, ...auth } }, (res) => {
      const sentWhenAnswered = sent;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (answer = { status: res.statusCode ?? 0, body, sentWhenAnswered }));
    });
    req.on('error', () => (stopped = true)); // the server may close the socket on the rest of a refused body
    req.on('close', () => (stopped = true));
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const pump = async (): Promise<void> => {
      while (sent < total && !stopped) {
        const ok = req.write(chunk);
        sent += chunk.length;
        if (sent === chunk.length) await midway();
        if (!ok && !stopped) await new Promise((r) => { req.once('drain', r); req.once('close', r); });
      }
      if (!stopped) req.end();
      await after();
      for (let i = 0; i < 400 && !answer; i++) await new Promise((r) => setTimeout(r, 25));
      if (answer) resolve({ ...answer, sent });
      else reject(new Error(`no answer after sending ${sent} bytes`));
    };
    void pump();
  });
}

describe('bad input never stalls the daemon (buildApp over a real socket and real SQLite)', async () => {
  const secret = 'a'.repeat(64);
  const closes: string[] = [];
  const t = await buildTestApp({
    // as the daemon does with a sync target: build the DICOM instances inside the closing transaction
    onExamClosed: (exam, db) => {
      const store = new ExamStore(db);
      buildExamInstances(exam, (id) => store.capturePixels(id), { secret, dates: 'shift', deviceSerial: 'test', softwareVersion: '0.0.0', deidentified: true });
      closes.push(exam.id);
    },
  });
  const json = <T>(r: { json: () => unknown }): T => r.json() as T;
  const newExam = async (): Promise<string> => json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/api/exams', payload: { datingGaWeeks: 21 } })).id;

  it('refuses a 60 MB octet-stream body to a JSON route without buffering it; health answers while it is sent and after', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    const rss0 = process.memoryUsage().rss;
    const health: number[] = [];
    const probe = async (): Promise<void> => {
      health.push((await fetch(`http://127.0.0.1:${port}/api/health`)).status);
    };
    const total = 60 * 1024 * 1024;
    authorizeRequestsTo(`http://127.0.0.1:${port}`, t.auth!);
    const r = await floodUpload(port, '/api/exams', total, probe, probe, t.auth!.headers);
    expect(health).toEqual([200, 200]);
    expect(r.status).toBe(415);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'SONO_REQUEST_MEDIA_UNSUPPORTED', statusCode: 415 });
    // answered, and the connection closed, before the body was all sent: nothing waited for (or kept) the 60 MB
    expect(r.sentWhenAnswered).toBeLessThan(total);
    expect(r.sent).toBeLessThan(total);
    // today's main buffered the body and validated it as JSON: +2.9 GB
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 1024 * 1024);
    expect((await fetch(`http://127.0.0.1:${port}/api/exams`)).status).toBe(200);
  });

  it('a JSON body over the route limit is refused with a coded 413', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/exams', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ operator: 'x'.repeat(100 * 1024) }) });
    expect(r.statusCode).toBe(413);
    expect(json<{ code: string }>(r).code).toBe('SONO_REQUEST_TOO_LARGE');
  });

  it('refuses a valid 8000×7500 frame posted as a capture when the source sends 64×48 frames (coded 413, nothing stored)', async () => {
    const id = await newExam();
    const msg = Buffer.from(new FrameEncoder(1).encode({ ...grayFrame(9, 8000, 7500) }));
    // before any frame: nothing to pair it with, refused without reading it
    const early = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures/frame`, headers: { 'content-type': 'application/octet-stream' }, payload: msg });
    expect(early.json()).toMatchObject({ code: 'SONO_FRAME_RESULTS_UNKNOWN', statusCode: 409 });
    publishFrame(t.runtime, grayFrame(1, 64, 48));
    publishFrame(t.runtime, grayFrame(3, 64, 48));
    const small = new FrameEncoder(1).encode(grayFrame(3, 64, 48));
    const r = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures/frame`, headers: { 'content-type': 'application/octet-stream' }, payload: msg });
    expect(r.statusCode, r.body).toBe(413);
    expect(json<{ code: string }>(r).code).toBe('SONO_FRAME_TOO_LARGE');
    expect(json<{ captures: unknown[] }>(await t.app.inject({ method: 'GET', url: `/api/exams/${id}` })).captures).toEqual([]);
    // JSON to the frame route and octet-stream to a JSON route: both refused, coded
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures/frame`, payload: { a: 1 } })).statusCode).toBe(415);
    expect(json<{ code: string }>(await t.app.inject({ method: 'POST', url: '/api/exams', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from(small) })).code).toBe('SONO_REQUEST_MEDIA_UNSUPPORTED');
  });

  it('refuses corrections outside the captured frame (1e300, negative), stores nothing, and closing never spins', async () => {
    const id = await newExam();
    const f = grayFrame(100, 64, 48, { x: 2, y: 2, width: 60, height: 44 });
    publishFrame(t.runtime, f);
    const cap = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures`, payload: {} });
    expect(cap.statusCode, cap.body).toBe(201);
    const hc = json<{ measurements: Array<{ id: string; kind: string }> }>(cap).measurements.find((m) => m.kind === 'hc')!;
    const decide = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/measurements/${hc.id}/decision`, payload: { decision: 'corrected', value: 180, by: 'dr', ...body } });
    for (const geometry of [{ x1: 1e300, y1: 1, x2: 2, y2: 2 }, { x1: -5, y1: 1, x2: 2, y2: 2 }, { x1: 1, y1: 1, x2: 65, y2: 2 }, { outline: [1, 1, 1e300, 2, 3, 3] }]) {
      const r = await decide({ geometry });
      expect(r.statusCode, JSON.stringify(geometry)).toBe(400);
      expect(json<{ code: string; message: string }>(r)).toMatchObject({ code: 'SONO_GEOMETRY_OUT_OF_RANGE', message: expect.stringMatching(/outside 0…(64|48)/) });
    }
    expect(json<{ code: string }>(await decide({ value: 1e300 })).code).toBe('SONO_REQUEST_INVALID');
    const exam = json<{ captures: Array<{ measurements: Array<{ id: string; state: string }> }> }>(await t.app.inject({ method: 'GET', url: `/api/exams/${id}` }));
    expect(exam.captures[0]!.measurements.find((m) => m.id === hc.id)!.state).toBe('unverified');
    // a record written before these checks existed: closing draws it into the overlay and must still finish
    t.db.prepare('UPDATE measurements SET final_geometry_json = ? WHERE id = ?').run(JSON.stringify({ x1: 1e300, y1: 0, x2: -1e300, y2: 1e300 }), hc.id);
    const closed = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/close`, payload: {} });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closes).toContain(id);
  });

  it('refuses a calibration of two points 1e-300 apart, a spacing of 1e300, a negative one, points outside the frame (coded, nothing stored)', async () => {
    const set = await t.app.inject({ method: 'PUT', url: '/api/source', payload: { driver: 'simulated' } });
    expect(set.statusCode, set.body).toBe(200);
    for (let i = 0; i < 200 && !t.runtime.pipeline.lastFrameSize(); i++) await new Promise((r) => setTimeout(r, 25));
    const frame = t.runtime.pipeline.lastFrameSize()!;
    expect(frame.width).toBeGreaterThan(0);
    const cal = (payload: Record<string, unknown>) => t.app.inject({ method: 'PUT', url: '/api/source/calibration', payload });
    const tiny = await cal({ x1: 10, y1: 10, x2: 10 + 1e-300, y2: 10, distanceMm: 10 });
    expect(tiny.statusCode).toBe(400);
    expect(json<{ code: string; message: string }>(tiny)).toMatchObject({ code: 'SONO_CALIBRATION_INVALID', message: expect.stringMatching(/two different points at least 4 pixels apart/) });
    const outside = await cal({ x1: 10, y1: 10, x2: frame.width + 10, y2: 10, distanceMm: 10 });
    expect(json<{ code: string }>(outside).code).toBe('SONO_CALIBRATION_INVALID');
    for (const pixelSpacingMm of [1e300, -0.2, 0]) expect(json<{ code: string }>(await cal({ pixelSpacingMm })).code).toBe('SONO_REQUEST_INVALID');
    // a spacing too small to be an ultrasound image (10 µm over the whole frame width)
    expect(json<{ code: string }>(await cal({ x1: 0, y1: 0, x2: frame.width, y2: 0, distanceMm: 0.01 })).code).toBe('SONO_CALIBRATION_INVALID');
    expect(json<unknown>(await t.app.inject({ method: 'GET', url: '/api/source/calibration' }))).toMatchObject({ pixelSpacing: null, stored: null });
    // the simulated probe declares its own spacing: a calibration replaces it only when asked to
    const ok = await cal({ x1: 10, y1: 20, x2: 70, y2: 100, distanceMm: 25, override: true });
    expect(json<unknown>(ok)).toMatchObject({ pixelSpacing: { x: 0.25, y: 0.25 } });
  });
});
