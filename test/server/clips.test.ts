/**
 * Issue 18, image review: "saving a short cine clip to the exam". POST /api/exams/:id/clips through buildApp +
 * inject over a real encrypted SQLite file: a clip of frames the daemon sent is stored once (a double tap, a
 * retry with the same key, the same frames again); every bad body answers a coded error and stores nothing.
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const REGION = { x: 4, y: 4, width: 56, height: 40 };
const encode = (f: ReturnType<typeof grayFrame>): Buffer => Buffer.from(new FrameEncoder(1).encode(f));
/** `n` frames of 64×48 from `seq` on, sent by the daemon (published on its bus), and their messages. */
function sentFrames(t: Awaited<ReturnType<typeof buildTestApp>>, seq: number, n: number, size = { w: 64, h: 48 }): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const f = grayFrame(seq + i, size.w, size.h, size.w === 64 ? REGION : { x: 0, y: 0, width: size.w, height: size.h });
    publishFrame(t.runtime, f, false);
    return encode(f);
  });
}

describe('cine clips: POST /api/exams/:id/clips (real SQLite, inject)', async () => {
  const t = await buildTestApp();
  const newExam = async (): Promise<string> =>
    (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-9', name: 'DOE^JANE' }, datingGaWeeks: 22 } })).json<{ id: string }>().id;
  const postClip = (examId: string, body: Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/exams/${examId}/clips`, headers: { 'content-type': 'application/octet-stream', ...headers }, payload: body });
  const stored = (): number => (t.db.prepare('SELECT count(*) AS n FROM clips').get() as { n: number }).n;
  const listed = async (examId: string) => (await t.app.inject({ method: 'GET', url: `/api/exams/${examId}/clips` })).json<Array<{ id: string; frameCount: number }>>();

  it('stores a clip of frames the daemon sent, once: a double post, a retry with the same key and the same frames again answer the first clip', async () => {
    const id = await newExam();
    const body = Buffer.concat(sentFrames(t, 100, 6));
    const first = await postClip(id, body, { 'idempotency-key': 'clip-tap-1' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ examId: id, frameCount: 6, width: 64, height: 48, firstSeq: 100, lastSeq: 105, durationMs: 165 });
    const [again, retried, sameFrames] = await Promise.all([
      postClip(id, body, { 'idempotency-key': 'clip-tap-1' }),
      postClip(id, body, { 'idempotency-key': 'clip-tap-1' }),
      postClip(id, body, { 'idempotency-key': 'clip-tap-2' }),
    ]);
    for (const r of [again, retried, sameFrames]) {
      expect(r.statusCode).toBe(200);
      expect(r.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    }
    expect((await listed(id)).map((c) => c.frameCount)).toEqual([6]);
    // the pixels kept are the frames' own, in order
    const row = t.db.prepare('SELECT pixels, seqs_json FROM clips WHERE exam_id = ?').get(id) as { pixels: Buffer; seqs_json: string };
    expect(row.pixels.length).toBe(6 * 64 * 48);
    expect(JSON.parse(row.seqs_json)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(row.pixels[5 * 64 * 48]).toBe(grayFrame(105, 64, 48).data[0]);
  });

  it('refuses bad bodies with coded errors and stores nothing', async () => {
    const id = await newExam();
    const before = stored();
    const ok = sentFrames(t, 200, 4);
    const cases: Array<[string, Buffer, number, string]> = [
      ['one frame', ok[0]!, 400, 'SONO_CLIP_INVALID'],
      ['frames out of order', Buffer.concat([ok[1]!, ok[0]!]), 400, 'SONO_CLIP_INVALID'],
      ['a frame twice', Buffer.concat([ok[0]!, ok[0]!]), 400, 'SONO_CLIP_INVALID'],
      ['a frame never sent', Buffer.concat([ok[0]!, encode(grayFrame(999, 64, 48, REGION))]), 409, 'SONO_CLIP_FRAME_UNKNOWN'],
      ['not a frame message', Buffer.from('hello, this is not a frame message at all, really'), 400, 'SONO_FRAME_MESSAGE_INVALID'],
      ['a truncated last frame', Buffer.concat([ok[0]!, ok[1]!.subarray(0, 500)]), 400, 'SONO_FRAME_MESSAGE_INVALID'],
    ];
    // a frame whose region was edited after the daemon sent it
    const edited = Buffer.from(ok[1]!);
    edited.writeUInt16LE(30, 38);
    cases.push(['an edited region', Buffer.concat([ok[0]!, edited]), 400, 'SONO_FRAME_MESSAGE_INVALID']);
    // a source that changed size mid-clip: one multi-frame image has one size
    const other = sentFrames(t, 204, 1, { w: 80, h: 60 });
    cases.push(['frames of two sizes', Buffer.concat([ok[2]!, ok[3]!, other[0]!]), 400, 'SONO_CLIP_FRAMES_MIXED']);
    for (const [what, body, status, code] of cases) {
      const r = await postClip(id, body);
      expect(r.statusCode, `${what}: ${r.body}`).toBe(status);
      expect(r.json<{ code: string; message: string }>(), what).toMatchObject({ code, message: expect.stringMatching(/^[A-Z]/) });
    }
    expect(stored()).toBe(before);
    expect(await listed(id)).toEqual([]);
  });

  it('caps a clip at 90 frames and at its byte limit (413), refuses a closed or unknown exam, and stores nothing', async () => {
    const id = await newExam();
    const before = stored();
    // the largest recent frame sets the byte limit: 90 frames of it; 91 smaller frames fit in bytes but not in count
    sentFrames(t, 300, 1, { w: 160, h: 120 });
    const small = sentFrames(t, 301, 91, { w: 32, h: 24 });
    const tooMany = await postClip(id, Buffer.concat(small));
    expect(tooMany.json(), tooMany.body).toMatchObject({ code: 'SONO_CLIP_INVALID', details: { max: 90 } });
    // begun before the frames it saves: frames received before an exam began are refused for it (frame-before-exam.test)
    const fitsExam = await newExam();
    const big = sentFrames(t, 400, 91, { w: 160, h: 120 });
    const tooLarge = await postClip(id, Buffer.concat(big));
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: 'SONO_CLIP_TOO_LARGE' });
    const missing = await postClip('no-such-exam', Buffer.concat(big.slice(0, 3)));
    expect(missing.json()).toMatchObject({ code: 'SONO_EXAM_NOT_FOUND', statusCode: 404 });
    const close = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/close`, payload: { operator: 'Alice Martin' } });
    expect(close.statusCode, close.body).toBe(200);
    const closed = await postClip(id, Buffer.concat(big.slice(0, 3)));
    expect(closed.json()).toMatchObject({ code: 'SONO_EXAM_CLOSED', statusCode: 409 });
    expect(stored()).toBe(before);
    // 90 frames of the largest size are a clip
    const fits = await postClip(fitsExam, Buffer.concat(big.slice(0, 90)));
    expect(fits.statusCode, fits.body).toBe(201);
    expect(fits.json()).toMatchObject({ frameCount: 90 });
  });

  it('takes only a signed-in clinician, and refuses a request without a clip (coded)', async () => {
    const id = await newExam();
    const anon = await t.app.inject({
      method: 'POST',
      url: `/api/exams/${id}/clips`,
      headers: { 'content-type': 'application/octet-stream', authorization: 'Bearer nope' },
      payload: Buffer.alloc(10),
    });
    expect(anon.statusCode).toBe(401);
    const empty = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/clips` });
    expect(empty.json()).toMatchObject({ code: 'SONO_CLIP_INVALID', statusCode: 400 });
  });
});
