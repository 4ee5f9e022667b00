/**
 * A breast capture names the breast it was taken on (src/protocol/laterality.ts), through buildApp + inject
 * with real SQLite: without a side both capture routes answer 400 SONO_LATERALITY_REQUIRED and store nothing;
 * each saved capture keeps its own side (a sonographer scans both breasts in one visit) and reads it back; a
 * keyed retry answers the side stored; an obstetric capture takes no side (400 SONO_LATERALITY_INVALID).
 */
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/server/frame-message.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';

const encode = (f: ReturnType<typeof grayFrame>, extras?: unknown): Buffer => {
  const msg = Buffer.from(new FrameEncoder(1).encode(f));
  return extras === undefined ? msg : Buffer.concat([msg, Buffer.from(JSON.stringify(extras), 'utf8')]);
};

describe('the side of a breast capture', async () => {
  const t = await buildTestApp();
  const post = (url: string, body: unknown) => t.app.inject({ method: 'POST', url, payload: body as Record<string, unknown> });
  const postFrame = (examId: string, msg: Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/exams/${examId}/captures/frame`, headers: { 'content-type': 'application/octet-stream', ...headers }, payload: msg });
  const newExam = async (examType: 'breast' | 'obstetric'): Promise<string> => (await post('/api/exams', { examType, patient: { id: 'P-SIDE', name: 'ROE^ANNA' } })).json<{ id: string }>().id;
  type Cap = { id: string; frameSeq: number; laterality: string | null };
  const captures = async (id: string): Promise<Cap[]> => (await t.app.inject({ method: 'GET', url: `/api/exams/${id}` })).json<{ captures: Cap[] }>().captures;

  it('a breast capture without a side is refused by both routes with a coded error, and nothing is stored', async () => {
    const id = await newExam('breast');
    const f = grayFrame(10, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, f);
    const frozen = await postFrame(id, encode(f));
    expect(frozen.statusCode).toBe(400);
    expect(frozen.json()).toMatchObject({ code: 'SONO_LATERALITY_REQUIRED', message: expect.stringMatching(/which breast.*choose Left or Right breast/) });
    const withCalipersOnly = await postFrame(id, encode(f, { clinicianMeasurements: [] }));
    expect(withCalipersOnly.json()).toMatchObject({ code: 'SONO_LATERALITY_REQUIRED' });
    const live = await post(`/api/exams/${id}/captures`, {});
    expect(live.statusCode).toBe(400);
    expect(live.json()).toMatchObject({ code: 'SONO_LATERALITY_REQUIRED' });
    const wrong = await post(`/api/exams/${id}/captures`, { laterality: 'both' });
    expect(wrong.statusCode).toBe(400);
    expect(await captures(id)).toEqual([]);
  });

  it('each capture keeps the side it was taken on, read back in the exam; a keyed retry answers the side stored', async () => {
    const id = await newExam('breast');
    const left = grayFrame(20, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, left);
    const l = await postFrame(id, encode(left, { laterality: 'left' }), { 'idempotency-key': 'k-left' });
    expect(l.statusCode).toBe(201);
    expect(l.json<Cap>().laterality).toBe('left');
    const right = grayFrame(21, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, right);
    const r = await postFrame(id, encode(right, { laterality: 'right' }));
    expect(r.json<Cap>().laterality).toBe('right');
    // the answer lost on Wi-Fi, sent again: the stored capture and its side
    const again = await postFrame(id, encode(left, { laterality: 'left' }), { 'idempotency-key': 'k-left' });
    expect(again.statusCode).toBe(200);
    expect(again.json<Cap>()).toMatchObject({ id: l.json<Cap>().id, laterality: 'left' });
    expect((await captures(id)).map((c) => [c.frameSeq, c.laterality])).toEqual([
      [20, 'left'],
      [21, 'right'],
    ]);
    const stored = t.db.prepare('SELECT laterality FROM captures WHERE exam_id = ? ORDER BY frame_seq').pluck().all(id);
    expect(stored).toEqual(['left', 'right']);
    // the audit trail says which breast was captured
    const audited = t.db.prepare(`SELECT details_json FROM audit WHERE action = 'capture.add' AND target = ?`).pluck().get(l.json<Cap>().id) as string;
    expect(JSON.parse(audited)).toMatchObject({ examId: id, frameSeq: 20, laterality: 'left' });
  });

  it('an obstetric capture takes no side', async () => {
    const id = await newExam('obstetric');
    const f = grayFrame(30, 64, 48, { x: 4, y: 4, width: 56, height: 40 });
    publishFrame(t.runtime, f);
    const sided = await postFrame(id, encode(f, { laterality: 'left' }));
    expect(sided.statusCode).toBe(400);
    expect(sided.json()).toMatchObject({ code: 'SONO_LATERALITY_INVALID', message: expect.stringMatching(/obstetric exam: its captures have no side/) });
    const plain = await postFrame(id, encode(f));
    expect(plain.statusCode).toBe(201);
    expect(plain.json<Cap>().laterality).toBeNull();
  });
});
