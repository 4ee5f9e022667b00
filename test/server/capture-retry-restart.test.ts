/**
 * A tablet saves a capture (or a clip), loses the answer (Wi-Fi drop) and retries after the daemon restarted:
 * the restarted daemon no longer holds the frame's AI results nor the frames it sent, but the records do. A
 * real daemon (startTestDaemon: simulated source, no models, the real encrypted SQLite file) is stopped and
 * started again on the same data folder; the retry, same Idempotency-Key and same frame, answers the capture
 * stored (200, same id, nothing written), while a new key for the unknown frame keeps its coded error.
 * The frames and their fetal-head results are published on the daemon's bus as the pipeline does (high
 * sequence numbers, apart from the simulated source's frames, which are of the same size).
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { grayFrame, publishFrame } from '../helpers/app.js';
import { type TestDaemon, startTestDaemon } from '../helpers/daemon.js';
import { getJson, until } from '../helpers/process-daemon.js';
import { tempDir } from '../helpers/tmp.js';

const REGION = { x: 10, y: 10, width: 300, height: 220 };
const CONFIG = { models: [], drivers: { simulated: { fps: 1, width: 320, height: 240 } } };
const encode = (f: ReturnType<typeof grayFrame>): Buffer => Buffer.from(new FrameEncoder(1).encode(f));
type Answer = { status: number; body: { id: string; code?: string; frameSeq?: number; measurements?: Array<{ id: string }> } };

async function start(dir: string): Promise<TestDaemon> {
  const d = await startTestDaemon(dir, CONFIG);
  // the source runs: its frames (not the saved one) are what the daemon knows after a restart
  await until(
    () => getJson<{ pipeline: { framesIn: number } }>(d.url + '/api/health'),
    (h) => h.status === 200 && h.body.pipeline.framesIn > 0,
    20_000,
    'first frame',
  );
  return d;
}

const post = async (d: TestDaemon, path: string, body: Buffer | object, key: string): Promise<Answer> => {
  const binary = Buffer.isBuffer(body);
  const r = await fetch(d.url + path, {
    method: 'POST',
    headers: { 'content-type': binary ? 'application/octet-stream' : 'application/json', 'idempotency-key': key },
    body: binary ? new Uint8Array(body) : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Answer['body'] };
};
const rows = (d: TestDaemon, table: 'captures' | 'clips', examId: string): number => (d.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE exam_id = ?`).get(examId) as { n: number }).n;

describe('a capture retried after a daemon restart', () => {
  it('answers the stored capture to the same key and frame (frame route and live route), one row each; a new key keeps its coded error', async () => {
    const dir = tempDir();
    let d = await start(dir);
    let exam = '';
    const frozen = grayFrame(500_000, 320, 240, REGION, 5000);
    const tapped = grayFrame(500_001, 320, 240, REGION, 5033);
    const cine = grayFrame(500_002, 320, 240, REGION, 5066);
    const first: Record<string, Answer> = {};
    try {
      exam = (
        await (await fetch(d.url + '/api/exams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: { id: 'P-R1' }, datingGaWeeks: 21 }) })).json()
      ).id;
      publishFrame(d.runtime, frozen);
      first.frame = await post(d, `/api/exams/${exam}/captures/frame`, encode(frozen), `frame-${exam}-500000-5000`);
      publishFrame(d.runtime, tapped);
      first.tap = await post(d, `/api/exams/${exam}/captures`, {}, 'tap-1');
      publishFrame(d.runtime, cine);
      first.cine = await post(d, `/api/exams/${exam}/captures`, { seq: 500_002 }, 'cine-1');
      expect([first.frame.status, first.tap.status, first.cine.status]).toEqual([201, 201, 201]);
      expect([first.tap.body.frameSeq, first.cine.body.frameSeq]).toEqual([500_001, 500_002]);
    } finally {
      await d.close();
    }

    d = await start(dir);
    try {
      // the answers were lost: the tablet sends the same requests again
      const frame = await post(d, `/api/exams/${exam}/captures/frame`, encode(frozen), `frame-${exam}-500000-5000`);
      expect(frame.status, JSON.stringify(frame.body)).toBe(200);
      expect(frame.body.id).toBe(first.frame.body.id);
      expect(frame.body.measurements!.map((m) => m.id)).toEqual(first.frame.body.measurements!.map((m) => m.id));
      const tap = await post(d, `/api/exams/${exam}/captures`, {}, 'tap-1');
      expect(tap.status, JSON.stringify(tap.body)).toBe(200);
      expect(tap.body.id).toBe(first.tap.body.id);
      const cine = await post(d, `/api/exams/${exam}/captures`, { seq: 500_002 }, 'cine-1');
      expect(cine.status, JSON.stringify(cine.body)).toBe(200);
      expect(cine.body.id).toBe(first.cine.body.id);
      expect(rows(d, 'captures', exam)).toBe(3);

      // a new key for a frame whose results are gone: the coded errors, nothing stored
      const fresh = await post(d, `/api/exams/${exam}/captures/frame`, encode(frozen), 'frame-other-key');
      expect(fresh.status).toBe(409);
      expect(fresh.body.code).toBe('SONO_FRAME_RESULTS_UNKNOWN');
      const gone = await post(d, `/api/exams/${exam}/captures`, { seq: 500_002 }, 'cine-2');
      expect(gone.body.code).toBe('SONO_FRAME_NOT_KEPT');
      // the key sent again with another frame is refused as before (frame numbers restart with the source)
      const other = grayFrame(500_000, 320, 240, REGION, 9000);
      const reused = await post(d, `/api/exams/${exam}/captures/frame`, encode(other), `frame-${exam}-500000-5000`);
      expect(reused.status).toBe(409);
      expect(reused.body.code).toBe('SONO_IDEMPOTENCY_KEY_REUSED');
      expect(rows(d, 'captures', exam)).toBe(3);
    } finally {
      await d.close();
    }
  });

  it('answers the stored clip to the same key and frames, one row; a new key keeps CLIP_FRAME_UNKNOWN', async () => {
    const dir = tempDir();
    let d = await start(dir);
    let exam = '';
    const frames = Array.from({ length: 4 }, (_, i) => grayFrame(600_000 + i, 320, 240, REGION, 7000 + i * 33));
    const body = Buffer.concat(frames.map(encode));
    let firstId = '';
    try {
      exam = (await (await fetch(d.url + '/api/exams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()).id;
      for (const f of frames) publishFrame(d.runtime, f, false);
      const saved = await post(d, `/api/exams/${exam}/clips`, body, 'clip-600000');
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
      firstId = saved.body.id;
    } finally {
      await d.close();
    }

    d = await start(dir);
    try {
      const retry = await post(d, `/api/exams/${exam}/clips`, body, 'clip-600000');
      expect(retry.status, JSON.stringify(retry.body)).toBe(200);
      expect(retry.body.id).toBe(firstId);
      expect(rows(d, 'clips', exam)).toBe(1);
      const fresh = await post(d, `/api/exams/${exam}/clips`, body, 'clip-other-key');
      expect(fresh.body.code).toBe('SONO_CLIP_FRAME_UNKNOWN');
      // the key with other frames (another time): refused, not stored, not answered with the stored clip
      const other = Buffer.concat(frames.map((f) => encode({ ...f, timestampMs: f.timestampMs + 50_000 })));
      const reused = await post(d, `/api/exams/${exam}/clips`, other, 'clip-600000');
      expect(reused.status).toBe(409);
      expect(reused.body.code).toBe('SONO_IDEMPOTENCY_KEY_REUSED');
      expect(rows(d, 'clips', exam)).toBe(1);
    } finally {
      await d.close();
    }
  });
});
