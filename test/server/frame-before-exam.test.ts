/**
 * A frame the daemon sent before an exam was started (or resumed on a device) is another patient's: the page's
 * cine keeps ~5 s of frames whatever exam is open. The capture routes (the live ring's frame, the frozen frame
 * posted back) and the clip route refuse it for that exam, 409 SONO_FRAME_BEFORE_EXAM, and store nothing; frames
 * received after the exam began are stored, also after a source restart numbered them from 0 again.
 * buildApp + inject over a real encrypted SQLite file.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/capture/frame.js';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const BEFORE_EXAM = { statusCode: 409, code: 'SONO_FRAME_BEFORE_EXAM', message: expect.stringMatching(/^Frame \d+ was acquired before exam .* freeze again to capture the current patient$/) };

describe('frames received before an exam began are refused for it (capture, frozen frame, clip)', async () => {
  const t = await buildTestApp();
  let nextTime = 1_000_000;
  /** `n` frames from `seq` on, each with its head result, published as the source delivers them; their messages. */
  const send = (seq: number, n: number): Array<{ frame: Frame; message: Buffer }> =>
    Array.from({ length: n }, (_, i) => {
      const frame = grayFrame(seq + i, 64, 48, undefined, (nextTime += 33));
      publishFrame(t.runtime, frame);
      return { frame, message: Buffer.from(new FrameEncoder(1).encode(frame)) };
    });
  const newExam = async (): Promise<string> => (await t.app.inject({ method: 'POST', url: '/api/exams', payload: { patient: { id: 'P-BX' }, datingGaWeeks: 22 } })).json<{ id: string }>().id;
  const frozen = (exam: string, message: Buffer, key?: string) =>
    t.app.inject({ method: 'POST', url: `/api/exams/${exam}/captures/frame`, headers: { 'content-type': 'application/octet-stream', ...(key ? { 'idempotency-key': key } : {}) }, payload: message });
  const clip = (exam: string, frames: Array<{ message: Buffer }>) =>
    t.app.inject({ method: 'POST', url: `/api/exams/${exam}/clips`, headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.concat(frames.map((f) => f.message)) });
  const live = (exam: string, seq?: number) => t.app.inject({ method: 'POST', url: `/api/exams/${exam}/captures`, payload: seq === undefined ? {} : { seq } });
  const stored = (exam: string): number =>
    (t.db.prepare('SELECT (SELECT count(*) FROM captures WHERE exam_id = ?) + (SELECT count(*) FROM clips WHERE exam_id = ?) AS n').get(exam, exam) as { n: number }).n;

  it("the previous patient's frames (scanned before Start) are refused; the new patient's are stored", async () => {
    const alice = send(100, 10); // scanned before the next exam was started
    const bob = await newExam();
    for (const r of [await frozen(bob, alice[9]!.message), await clip(bob, alice), await live(bob, 109), await live(bob)]) expect(r.json(), r.body).toMatchObject(BEFORE_EXAM);
    // a clip that only begins before the exam is refused whole
    const after = send(110, 4);
    expect((await clip(bob, [...alice.slice(8), ...after])).json()).toMatchObject({ ...BEFORE_EXAM, details: { seq: 108 } });
    expect(stored(bob)).toBe(0);
    // frames received since: stored
    expect((await frozen(bob, after[1]!.message)).statusCode).toBe(201);
    expect((await clip(bob, after)).statusCode).toBe(201);
    expect((await live(bob, 113)).statusCode).toBe(201);
    expect(stored(bob)).toBe(3);
  });

  it('a source restarted after the exam began numbers its frames from 0 again: they are stored', async () => {
    send(500, 5);
    const exam = await newExam();
    const restarted = send(0, 4); // lower numbers than every frame before the exam, received after it began
    expect((await frozen(exam, restarted[2]!.message)).statusCode).toBe(201);
    expect((await clip(exam, restarted)).statusCode).toBe(201);
  });

  it('resuming an exam (POST /api/exams/:id/resume) refuses the frames received before it; a closed exam says so first', async () => {
    const frank = await newExam();
    const gina = await newExam();
    const ginaFrames = send(200, 3); // scanned during Gina's exam, after Frank's began
    expect((await frozen(gina, ginaFrames[0]!.message)).statusCode).toBe(201);
    const resumed = await t.app.inject({ method: 'POST', url: `/api/exams/${frank}/resume` });
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json()).toMatchObject({ id: frank, closedAt: null });
    expect((await frozen(frank, ginaFrames[2]!.message)).json()).toMatchObject(BEFORE_EXAM);
    expect((await clip(frank, ginaFrames)).json()).toMatchObject(BEFORE_EXAM);
    expect(stored(frank)).toBe(0);
    const frankFrames = send(203, 2);
    expect((await frozen(frank, frankFrames[1]!.message)).statusCode).toBe(201);
    // Gina's exam began before those frames: they stay hers to save too (a resume marks only the exam resumed)
    expect((await frozen(gina, ginaFrames[1]!.message)).statusCode).toBe(201);
    // closed since: resume and a capture of an earlier frame answer that it is closed, not that the frame is old
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${gina}/close`, payload: { operator: 'Dr A' } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${gina}/resume` })).json()).toMatchObject({ statusCode: 409, code: 'SONO_EXAM_CLOSED' });
    expect((await frozen(gina, ginaFrames[2]!.message)).json()).toMatchObject({ statusCode: 409, code: 'SONO_EXAM_CLOSED' });
    expect((await t.app.inject({ method: 'POST', url: '/api/exams/no-such-exam/resume' })).json()).toMatchObject({ statusCode: 404, code: 'SONO_EXAM_NOT_FOUND' });
  });

  it("another tablet resuming the exam moves that tablet's start only: this one keeps the frames it froze during the scan", async () => {
    const exam = await newExam(); // this tablet (the test app's token) started it
    const scanned = send(400, 6); // this patient, after the exam began
    // a second tablet (another credential of a clinician) opens the same exam: its own start is now
    const other = t.runtime.access.services.tokens.create(t.auth!.user, { label: 'second tablet' });
    const otherHeaders = { authorization: `Bearer ${other.token}` };
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${exam}/resume`, headers: otherHeaders })).statusCode).toBe(200);
    // this tablet's frozen frame and clip, taken during the scan, are still stored
    expect((await frozen(exam, scanned[5]!.message)).statusCode).toBe(201);
    expect((await clip(exam, scanned)).statusCode).toBe(201);
    // the second tablet's copy of an earlier frame is refused: for it, the exam began at its resume
    const fromOther = await t.app.inject({
      method: 'POST',
      url: `/api/exams/${exam}/captures/frame`,
      headers: { ...otherHeaders, 'content-type': 'application/octet-stream' },
      payload: scanned[4]!.message,
    });
    expect(fromOther.json()).toMatchObject(BEFORE_EXAM);
  });

  it('a retry of a frame stored before the exam was resumed is answered from its key, not refused', async () => {
    const exam = await newExam();
    const f = send(300, 2);
    const first = await frozen(exam, f[1]!.message, 'tap-300');
    expect(first.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: `/api/exams/${exam}/resume` })).statusCode).toBe(200);
    const retry = await frozen(exam, f[1]!.message, 'tap-300');
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
  });
});
