/**
 * A decision after closing (issue 21: "a change after a report was sent creates a new SR revision … never a
 * silent overwrite"), through the real app and a real outbox: a closed exam's measurement nobody decided
 * blocks the signature; deciding it queues an amended report (UNVERIFIED, naming closing's report, carrying the
 * decided value) and then the signature goes through, naming the amendment; a measurement already decided, and
 * any measurement of a signed report, are refused with SONO_EXAM_CLOSED, nothing queued.
 */
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { Outbox } from '../../src/sync/outbox.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeReportService } from '../../src/sync/sr-revision-service.js';
import { revisionUids } from '../../src/sync/sr-revision.js';
import { keyedUid } from '../../src/sync/uids.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { makeDecidedExam } from './fixture.js';

type Ds = Record<string, unknown>;
const SECRET = 'late-decision-secret';
const predecessorOf = (ds: Ds): string => ((((ds.PredecessorDocumentsSequence as Ds[])[0]!.ReferencedSeriesSequence as Ds[])[0]!.ReferencedSOPSequence as Ds[])[0]!).ReferencedSOPInstanceUID as string;

describe('a decision after closing', async () => {
  const t = await buildTestApp();
  const outbox = new Outbox(t.db);
  const store = new ExamStore(t.db);
  t.runtime.reports = makeReportService({
    exportOptions: { secret: SECRET, dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' }, targets: ['pacs'], outbox,
    geometryOf: (id) => store.capturePixels(id), poke: () => {}, organization: 'Maternity unit',
    // due at once, as if the quiet period had passed: a signature then names the amendment (one made within the
    // quiet period is replaced by the signature instead: test/sync/revision-coalesce.test.ts)
    quietMs: 0,
  });
  const ada = await addTokenUser(t.runtime.access.services, 'clinician', 'Ada Byron');
  const post = (url: string, payload: object = {}) => t.app.inject({ method: 'POST', url, headers: { ...ada.headers, 'content-type': 'application/json' }, payload });
  const srPayloads = (examId: string): Ds[] => (t.db.prepare('SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = ? ORDER BY id').all(examId, COMPREHENSIVE_SR) as Array<{ payload: Buffer }>).map((r) => readPart10(r.payload));
  const { exam } = makeDecidedExam(t.db, { decideAll: false });
  const ga = exam.captures[0]!.measurements.find((m) => m.kind === 'ga')!;
  const bpd = exam.captures[0]!.measurements.find((m) => m.kind === 'bpd')!;

  it('an undecided measurement blocks the signature; deciding it sends an amended report naming closing’s', async () => {
    expect((await post(`/api/exams/${exam.id}/sign`)).json()).toMatchObject({ code: 'SONO_REPORT_UNDECIDED' });
    const r = await post(`/api/measurements/${ga.id}/decision`, { decision: 'corrected', value: 20.6 });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'corrected', finalValue: 20.6, decidedBy: 'Ada Byron' });
    const [tid1500, tid5000] = srPayloads(exam.id);
    const rev0 = revisionUids(SECRET, exam.id, 0);
    expect(tid1500!.VerificationFlag).toBe('UNVERIFIED');
    expect(predecessorOf(tid1500!)).toBe(keyedUid(SECRET, rev0.sr));
    expect(predecessorOf(tid5000!)).toBe(keyedUid(SECRET, rev0.ob));
    expect(JSON.stringify(tid1500!.ContentSequence)).toContain('20.6');
    expect(JSON.stringify(tid1500!.ContentSequence)).toContain('after the exam was closed');
    const revisions = (await t.app.inject({ url: `/api/exams/${exam.id}/signatures`, headers: ada.headers })).json() as Array<{ revision: number; kind: string; srUid: string }>;
    expect(revisions.map((x) => [x.revision, x.kind, x.srUid])).toEqual([[1, 'amendment', tid1500!.SOPInstanceUID]]);
  });

  it('then the signature goes through, naming the amendment', async () => {
    const s = await post(`/api/exams/${exam.id}/sign`);
    expect(s.statusCode).toBe(200);
    expect(s.json()).toMatchObject({ revision: 2, verificationFlag: 'VERIFIED' });
    expect(predecessorOf(srPayloads(exam.id)[2]!)).toBe(srPayloads(exam.id)[0]!.SOPInstanceUID);
  });

  it('a decided measurement of a closed exam, and any of a signed report, are refused and nothing is queued', async () => {
    const before = srPayloads(exam.id).length;
    const signed = await post(`/api/measurements/${bpd.id}/decision`, { decision: 'corrected', value: 50 });
    expect(signed.statusCode).toBe(409);
    expect(signed.json()).toMatchObject({ code: 'SONO_EXAM_CLOSED', details: { signed: true } });
    expect(signed.json().message).toContain('second reading');
    const other = makeDecidedExam(t.db).exam;
    const decided = other.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    const again = await post(`/api/measurements/${decided.id}/decision`, { decision: 'confirmed' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'SONO_EXAM_CLOSED', details: { signed: false } });
    expect(srPayloads(exam.id).length).toBe(before);
    expect(srPayloads(other.id)).toEqual([]);
    expect(store.decisionHistory(bpd.id).length).toBe(1);
  });
});
