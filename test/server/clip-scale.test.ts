/**
 * A clip is one multi-frame image with one pixel spacing (the first frame's). A calibration (or depth-scale taps)
 * made while the cine was filling gives the frames after it another scale: a clip across that change was stored
 * with the first frame's spacing for every frame, so the later frames carried a scale they were not acquired at.
 * The daemon now checks a clip's frames for one size, region AND scale, each as it sent them
 * (src/server/sent-frames.ts frameGeometry), and refuses a mix (SONO_CLIP_FRAMES_MIXED, nothing stored); the
 * page cuts its clip where the scale changes, as it does where the size changes. A frame posted back with its
 * header's spacing edited is refused like one with an edited region. buildApp + inject, real SQLite.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const encode = (f: Frame): Buffer => Buffer.from(new FrameEncoder(1).encode(f));

describe('a clip holds frames of one scale', async () => {
  const t = await buildTestApp();
  const exam = (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-11', name: 'DOE^JANE' }, datingGaWeeks: 22 } })).json<{ id: string }>().id;
  /** Frames `seq`… sent by the daemon at `mm` mm/px (a calibration in force for them), and their messages. */
  const sent = (seq: number, n: number, mm: number, withResult = false): Buffer[] =>
    Array.from({ length: n }, (_, i) => {
      const f = { ...grayFrame(seq + i, 64, 48), pixelSpacing: { x: mm, y: mm } };
      publishFrame(t.runtime, f, withResult);
      return encode(f);
    });
  const postClip = (body: Buffer) => t.app.inject({ method: 'POST', url: `/api/exams/${exam}/clips`, headers: { 'content-type': 'application/octet-stream' }, payload: body });
  const clips = (): number[] => (t.db.prepare('SELECT pixel_spacing_x AS x FROM clips WHERE exam_id = ?').all(exam) as Array<{ x: number }>).map((c) => c.x);

  it('refuses a clip across a change of scale (nothing stored); each side alone is stored at its own scale', async () => {
    const old = sent(100, 3, 0.2);
    const recalibrated = sent(103, 3, 0.25); // a technician calibrated 0.25 mm/px meanwhile
    const mixed = await postClip(Buffer.concat([...old, ...recalibrated]));
    expect(mixed.statusCode, mixed.body).toBe(400);
    expect(mixed.json()).toMatchObject({ code: 'SONO_CLIP_FRAMES_MIXED' });
    expect(mixed.json<{ message: string }>().message).toContain('scale');
    expect(clips()).toEqual([]);

    expect((await postClip(Buffer.concat(old))).statusCode).toBe(201);
    expect((await postClip(Buffer.concat(recalibrated))).statusCode).toBe(201);
    expect(clips().sort()).toEqual([0.2, 0.25]);
  });

  it('refuses a frozen frame whose header says another scale than the daemon sent it with', async () => {
    const [msg] = sent(200, 1, 0.3125, true);
    const edited = Buffer.from(msg!);
    edited.writeFloatLE(0.25, 24); // the header's spacing x, rewritten
    edited.writeFloatLE(0.25, 28);
    const r = await t.app.inject({ method: 'POST', url: `/api/exams/${exam}/captures/frame`, headers: { 'content-type': 'application/octet-stream' }, payload: edited });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toMatchObject({ code: 'SONO_FRAME_MESSAGE_INVALID' });
    const ok = await t.app.inject({ method: 'POST', url: `/api/exams/${exam}/captures/frame`, headers: { 'content-type': 'application/octet-stream' }, payload: msg! });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json<{ pixelSpacing: { x: number } }>().pixelSpacing.x).toBe(0.3125);
  });
});
