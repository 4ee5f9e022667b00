/**
 * Exam routes of issue 18 through buildApp + inject on a real encrypted SQLite file: POST /api/exams keeps
 * today's body and checks the patient and dating again on the server (coded 400s), voiding (audited, kept,
 * never synced), the exam list's search by patient ID and the decision history.
 */
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import type { Exam } from '../../src/records/types.js';
import { buildTestApp, grayFrame, publishFrame } from '../helpers/app.js';
import { FrameEncoder } from '../../src/server/frame-message.js';

const closedForSync: Exam[] = [];

describe('exam routes: checks, void, search, decisions', async () => {
  const t = await buildTestApp({ onExamClosed: (exam) => closedForSync.push(exam) });
  const post = (url: string, body: unknown) => t.app.inject({ method: 'POST', url, payload: body as Record<string, unknown> });
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it("keeps today's body (patient.name FAMILY^GIVEN, datingGaWeeks) and takes the new fields", async () => {
    const today = await post('/api/exams', { patient: { name: 'DOE^JANE', id: 'P-1' }, datingGaWeeks: 21 });
    expect(today.statusCode).toBe(201);
    expect(today.json()).toMatchObject({ patient: { name: 'DOE^JANE', id: 'P-1' }, datingGaWeeks: 21, datingMethod: 'ga', voidedAt: null });
    const full = await post('/api/exams', { patient: { name: 'MARTIN^ANNE', id: 'P-2', birthDate: '19900214', sex: 'F' }, datingMethod: 'edd', datingDate: eddIn(20), accessionNumber: 'ACC-1' });
    expect(full.statusCode, full.body).toBe(201);
    expect(full.json<{ datingGaWeeks: number }>().datingGaWeeks).toBeCloseTo(20, 0); // EDD in 20 weeks: 20 weeks today
    expect(full.json()).toMatchObject({ datingMethod: 'edd', accessionNumber: 'ACC-1' });
  });

  it('refuses 30 February, a future birth date and an impossible dating with coded errors in words', async () => {
    const feb30 = await post('/api/exams', { patient: { id: 'P-3', birthDate: '19900230' } });
    expect(feb30.statusCode).toBe(400);
    expect(feb30.json()).toMatchObject({ code: 'SONO_PATIENT_INVALID', message: 'The birth date 19900230 is not a day of the calendar; send the day of birth as YYYYMMDD' });
    const future = await post('/api/exams', { patient: { id: 'P-3', birthDate: '20991231' } });
    expect(future.json()).toMatchObject({ code: 'SONO_PATIENT_INVALID', message: expect.stringMatching(/lies in the future/) });
    const lmp = await post('/api/exams', { datingMethod: 'lmp', datingDate: '20000101' });
    expect(lmp.json()).toMatchObject({ statusCode: 400, code: 'SONO_DATING_INVALID', message: expect.stringMatching(/^The LMP 20000101 gives a gestational age outside 4…44 weeks/) });
    const noDate = await post('/api/exams', { datingMethod: 'lmp' });
    expect(noDate.json()).toMatchObject({ code: 'SONO_DATING_INVALID' });
    // "22,5" typed into a GA field that read it as 225 is refused, never stored
    const ga225 = await post('/api/exams', { datingGaWeeks: 225 });
    expect(ga225.json()).toMatchObject({ statusCode: 400, code: 'SONO_REQUEST_INVALID' });
    const names = (await get('/api/exams')).json<Array<{ patient: { id?: string } | null }>>();
    expect(names.some((e) => e.patient?.id === 'P-3')).toBe(false);
  });

  it('voids an open exam started by mistake: kept, audited, refused captures and close, never queued for sync', async () => {
    const id = (await post('/api/exams', { patient: { name: 'WRONG^ONE', id: 'VOID-9' }, datingGaWeeks: 20 })).json<{ id: string }>().id;
    const f = grayFrame(7, 64, 48);
    publishFrame(t.runtime, f);
    const cap = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures/frame`, headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from(new FrameEncoder(1).encode(f)) });
    expect(cap.statusCode).toBe(201);
    expect((await post(`/api/exams/${id}/void`, { reason: 'x' })).json()).toMatchObject({ statusCode: 400, code: 'SONO_REQUEST_INVALID' }); // a reason is needed
    const v = await post(`/api/exams/${id}/void`, { reason: 'Started for the wrong patient' });
    expect(v.statusCode, v.body).toBe(200);
    expect(v.json()).toMatchObject({ id, voidedBy: 'admin', voidReason: 'Started for the wrong patient', closedAt: null, sync: 'none' });
    expect(v.json<{ captures: unknown[] }>().captures).toHaveLength(1);
    const close = await post(`/api/exams/${id}/close`, {});
    expect(close.json()).toMatchObject({ statusCode: 409, code: 'SONO_EXAM_VOIDED' });
    const again = await t.app.inject({ method: 'POST', url: `/api/exams/${id}/captures/frame`, headers: { 'content-type': 'application/octet-stream', 'idempotency-key': 'k2' }, payload: Buffer.from(new FrameEncoder(1).encode(grayFrame(7, 64, 48))) });
    expect(again.statusCode).not.toBe(201);
    expect(closedForSync.map((e) => e.id)).not.toContain(id);
    const kept = (await get(`/api/exams/${id}`)).json<{ voidedAt: string | null; sync: string }>();
    expect(kept.voidedAt).not.toBeNull();
    expect(kept.sync).toBe('none');
    const audit = t.runtime.access.services.audit.list({ action: 'exam.void' });
    expect(audit.map((r) => [r.target, r.outcome, r.user])).toContainEqual([id, 'ok', 'admin']);
    // a closed exam went to the PACS: it is not voided
    const closedId = (await post('/api/exams', { patient: { id: 'CLOSED-1' } })).json<{ id: string }>().id;
    await post(`/api/exams/${closedId}/close`, {});
    expect(closedForSync.map((e) => e.id)).toContain(closedId);
    expect((await post(`/api/exams/${closedId}/void`, { reason: 'too late' })).json()).toMatchObject({ statusCode: 409, code: 'SONO_EXAM_CLOSED' });
    expect(t.runtime.access.services.audit.list({ action: 'exam.void', outcome: 'failed' }).map((r) => r.target)).toContain(closedId);
  });

  it("lists one patient's exams by exact ID, and an exam's decisions in order", async () => {
    const a = (await post('/api/exams', { patient: { name: 'SEARCH^ME', id: 'FIND-1' }, datingGaWeeks: 20 })).json<{ id: string }>().id;
    await post('/api/exams', { patient: { name: 'OTHER^ONE', id: 'FIND-10' } });
    const list = (await get('/api/exams?patientId=FIND-1')).json<Array<{ id: string }>>();
    expect(list.map((e) => e.id)).toEqual([a]);
    const store = new ExamStore(t.db);
    const c = store.addCapture(a, { frameSeq: 1, width: 8, height: 8, channels: 1, pixels: new Uint8Array(64), pixelSpacing: undefined, region: { x: 0, y: 0, width: 8, height: 8 }, results: [{ modelId: 'fetal-head', modelVersion: '1', provider: 'cpu', result: { task: 'fetal-head', hcMm: 170 } as never }] }, null);
    const hc = c.measurements.find((m) => m.kind === 'hc')!;
    await post(`/api/measurements/${hc.id}/decision`, { decision: 'confirmed' });
    await post(`/api/measurements/${hc.id}/decision`, { decision: 'corrected', value: 172.5 });
    const d = (await get(`/api/exams/${a}/decisions`)).json<Array<{ kind: string; decision: string; finalValue: number; by: string }>>();
    expect(d.map((x) => [x.kind, x.decision, x.finalValue, x.by])).toEqual([
      ['hc', 'confirmed', 170, 'admin'],
      ['hc', 'corrected', 172.5, 'admin'],
    ]);
    expect((await get('/api/exams/nope/decisions')).statusCode).toBe(404);
  });
});

/** The YYYYMMDD `weeks` weeks from today (device time). */
function eddIn(weeks: number): string {
  const d = new Date(Date.now() + weeks * 7 * 86_400_000);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}
