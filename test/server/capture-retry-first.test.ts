/**
 * POST .../captures/frame and .../clips look the Idempotency-Key up before the daemon's recent frames: a retry of
 * a capture or clip a previous run of the daemon stored is answered (200, the stored one) even before the
 * restarted source's first frame, when the daemon knows no frame at all (the body bound then comes from the
 * stored frame); the clinician's calipers measured since join it. A new key still gets the coded error.
 * buildApp + inject over a real encrypted SQLite file; "a previous run" is the records written through the
 * stores on the same file. Also: a frame whose region carries its origin (set by a technician, a DICOM
 * source's) is captured; the frame message carries the region's rectangle only.
 */
import { describe, expect, it } from 'vitest';
import { ClipStore } from '../../src/records/clip-store.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, fetalHeadResult, grayFrame, publishFrame } from '../helpers/app.js';

const REGION = { x: 4, y: 4, width: 56, height: 40 };
const encode = (f: ReturnType<typeof grayFrame>): Buffer => Buffer.from(new FrameEncoder(1).encode(f));
const withCalipers = (f: ReturnType<typeof grayFrame>, extras: object): Buffer => Buffer.concat([encode(f), Buffer.from(JSON.stringify(extras))]);
type CaptureBody = { id: string; code?: string; clinicianMeasurements: Array<{ kind: string; value: number }> };

describe('a retry before the source has sent any frame (the daemon just restarted)', async () => {
  const t = await buildTestApp();
  const post = (path: string, body: Buffer, key: string) => t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/octet-stream', 'idempotency-key': key }, payload: body });
  const exam = (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-RF' }, datingGaWeeks: 21 } })).json<{ id: string }>().id;
  const rows = (table: string): number => (t.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE exam_id = ?`).get(exam) as { n: number }).n;

  it('answers the stored capture (calipers measured since joined to it); a new key: FRAME_RESULTS_UNKNOWN', async () => {
    const f = grayFrame(41, 64, 48, REGION, 4000);
    const r = fetalHeadResult(f);
    // what the previous run stored before its answer was lost
    const before = new ExamStore(t.db).addCaptureOnce(
      exam,
      {
        ...{ frameSeq: f.seq, frameTimestampMs: f.timestampMs, width: f.width, height: f.height, channels: f.channels, pixels: f.data, pixelSpacing: f.pixelSpacing, region: f.region },
        results: [{ modelId: r.modelId, modelVersion: r.modelVersion, provider: r.provider, result: r.result }],
        clientKey: 'frame-41-4000',
      },
      'admin',
    ).capture;

    const retry = await post(`/api/exams/${exam}/captures/frame`, encode(f), 'frame-41-4000');
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json<CaptureBody>().id).toBe(before.id);
    // the page saves the frame again with a caliper drawn since (same key): it joins the stored capture
    const again = await post(
      `/api/exams/${exam}/captures/frame`,
      withCalipers(f, {
        clinicianMeasurements: [
          {
            kind: 'distance',
            points: [
              [0, 0],
              [0, 10],
            ],
          },
        ],
      }),
      'frame-41-4000',
    );
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<CaptureBody>()).toMatchObject({ id: before.id, clinicianMeasurements: [{ kind: 'distance', value: 2 }] });
    expect(rows('captures')).toBe(1);

    const fresh = await post(`/api/exams/${exam}/captures/frame`, encode(f), 'frame-41-other');
    expect(fresh.statusCode).toBe(409);
    expect(fresh.json<CaptureBody>().code).toBe('SONO_FRAME_RESULTS_UNKNOWN');
    expect(rows('captures')).toBe(1);
  });

  it('answers the stored clip; a new key: CLIP_FRAME_UNKNOWN', async () => {
    const frames = Array.from({ length: 3 }, (_, i) => grayFrame(70 + i, 64, 48, REGION, 8000 + i * 33));
    const pixels = new Uint8Array(Buffer.concat(frames.map((f) => Buffer.from(f.data))));
    const before = new ClipStore(t.db).addClipOnce(
      exam,
      {
        ...{ width: 64, height: 48, channels: 1, seqs: frames.map((f) => f.seq), timestampsMs: frames.map((f) => f.timestampMs), region: REGION, pixelSpacing: { x: 0.2, y: 0.2 } },
        pixels,
        clientKey: 'clip-70',
      },
      'admin',
    ).clip;
    const body = Buffer.concat(frames.map(encode));
    const retry = await post(`/api/exams/${exam}/clips`, body, 'clip-70');
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json<{ id: string }>().id).toBe(before.id);
    const fresh = await post(`/api/exams/${exam}/clips`, body, 'clip-other');
    expect(fresh.json<{ code: string }>().code).toBe('SONO_CLIP_FRAME_UNKNOWN');
    expect(rows('clips')).toBe(1);
  });
});

describe('a frame whose region carries its origin', async () => {
  const t = await buildTestApp();
  const exam = (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { datingGaWeeks: 21 } })).json<{ id: string }>().id;

  it.each(['set', 'source'] as const)('is captured (origin %s): 201, the region stored with its origin', async (origin) => {
    const f = grayFrame(origin === 'set' ? 5 : 6, 64, 48, REGION);
    f.region = { ...REGION, origin };
    publishFrame(t.runtime, f);
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/exams/${exam}/captures/frame`,
      headers: { 'content-type': 'application/octet-stream', 'idempotency-key': `o-${origin}` },
      payload: encode(f),
    });
    expect(r.statusCode, r.body).toBe(201);
    const stored = t.db.prepare('SELECT region_json FROM captures WHERE id = ?').get(r.json<{ id: string }>().id) as { region_json: string };
    expect(JSON.parse(stored.region_json)).toEqual({ ...REGION, origin });
  });
});
