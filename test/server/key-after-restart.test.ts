/**
 * Frame numbers restart at 0 when the source restarts (daemon or watchdog restart, reload, source switch): a
 * client key stored with one frame or clip and sent again with ANOTHER frame or clip (same numbers, other
 * capture time, other pixels) is refused with 409 SONO_IDEMPOTENCY_KEY_REUSED; it is never answered with the
 * stored capture (whose measurements the page would then decide) nor silently dropped (a clip). A true retry
 * (same key, same frame) still answers the stored one. buildApp + inject over a real encrypted SQLite file.
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const REGION = { x: 4, y: 4, width: 56, height: 40 };
const encode = (f: ReturnType<typeof grayFrame>): Buffer => Buffer.from(new FrameEncoder(1).encode(f));

describe('an Idempotency-Key sent again with another frame after a sequence restart', async () => {
  const t = await buildTestApp();
  const newExam = async (): Promise<string> => (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-12' }, datingGaWeeks: 21 } })).json<{ id: string }>().id;
  const postFrame = (examId: string, body: Buffer, key: string) =>
    t.app.inject({ method: 'POST', url: `/api/exams/${examId}/captures/frame`, headers: { 'content-type': 'application/octet-stream', 'idempotency-key': key }, payload: body });
  const postClip = (examId: string, body: Buffer, key: string) =>
    t.app.inject({ method: 'POST', url: `/api/exams/${examId}/clips`, headers: { 'content-type': 'application/octet-stream', 'idempotency-key': key }, payload: body });
  type ExamView = { captures: Array<{ id: string; frameSeq: number; measurements: Array<{ kind: string; state: string; finalValue: number | null }> }> };
  const examOf = async (id: string) => (await t.app.inject({ method: 'GET', url: `/api/exams/${id}` })).json<ExamView>();

  it('a capture: 409 coded, the stored capture and its correction untouched; the new frame under its own key is stored', async () => {
    const exam = await newExam();
    const a = grayFrame(12, 64, 48, REGION, 5000);
    publishFrame(t.runtime, a);
    const ra = await postFrame(exam, encode(a), 'tap-12');
    expect(ra.statusCode).toBe(201);
    const capA = ra.json<{ id: string; measurements: Array<{ id: string; kind: string }> }>();
    const hc = capA.measurements.find((m) => m.kind === 'hc')!;
    expect((await t.app.inject({ method: 'POST', url: `/api/measurements/${hc.id}/decision`, payload: { decision: 'corrected', value: 160 } })).statusCode).toBe(200);
    // a true retry of the same frame still answers the stored capture
    const retry = await postFrame(exam, encode(a), 'tap-12');
    expect(retry.statusCode).toBe(200);
    expect(retry.json<{ id: string }>().id).toBe(capA.id);

    // the source restarts: frame 12 again, another capture time and another image, sent with the same key
    const b = grayFrame(12, 64, 48, REGION, 90_000);
    b.data.fill(77);
    publishFrame(t.runtime, b);
    const rb = await postFrame(exam, encode(b), 'tap-12');
    expect(rb.statusCode).toBe(409);
    expect(rb.json<{ code: string; message: string }>()).toMatchObject({ code: 'SONO_IDEMPOTENCY_KEY_REUSED' });
    expect(rb.json<{ message: string }>().message).toMatch(/another frame.*reload/);
    // the same capture time but other pixels is another frame too
    const c = grayFrame(12, 64, 48, REGION, 5000);
    c.data.fill(9);
    publishFrame(t.runtime, c);
    expect((await postFrame(exam, encode(c), 'tap-12')).json<{ code: string }>().code).toBe('SONO_IDEMPOTENCY_KEY_REUSED');
    let e = await examOf(exam);
    expect(e.captures).toHaveLength(1);
    expect(e.captures[0]!.measurements.find((m) => m.kind === 'hc')).toMatchObject({ state: 'corrected', finalValue: 160 });

    // the page's key names the capture time as well: the new frame is stored as a capture of its own
    publishFrame(t.runtime, b);
    const own = await postFrame(exam, encode(b), `frame-${exam}-12-90000`);
    expect(own.statusCode).toBe(201);
    e = await examOf(exam);
    expect(e.captures.map((x) => x.frameSeq)).toEqual([12, 12]);
    expect(e.captures[1]!.measurements.find((m) => m.kind === 'hc')).toMatchObject({ state: 'unverified' });
  });

  it('a clip: 409 coded (not "already stored"), the stored clip kept; a retry of the same clip answers it', async () => {
    const exam = await newExam();
    const frames = (t0: number, fill?: number): Buffer[] =>
      Array.from({ length: 4 }, (_, i) => {
        const f = grayFrame(10 + i, 64, 48, REGION, t0 + i * 33);
        if (fill !== undefined) f.data.fill(fill + i);
        publishFrame(t.runtime, f, false);
        return encode(f);
      });
    const first = await postClip(exam, Buffer.concat(frames(1000)), 'clip-tap');
    expect(first.statusCode, first.body).toBe(201);
    const retried = await postClip(exam, Buffer.concat(frames(1000)), 'clip-tap');
    expect(retried.statusCode).toBe(200);
    expect(retried.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    // after a restart: frames 10-13 again, other times, other images, the same key
    const again = await postClip(exam, Buffer.concat(frames(900_000, 200)), 'clip-tap');
    expect(again.statusCode).toBe(409);
    expect(again.json<{ code: string }>().code).toBe('SONO_IDEMPOTENCY_KEY_REUSED');
    const listed = (await t.app.inject({ method: 'GET', url: `/api/exams/${exam}/clips` })).json<Array<{ id: string }>>();
    expect(listed.map((c) => c.id)).toEqual([first.json<{ id: string }>().id]);
  });
});
