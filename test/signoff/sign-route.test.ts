/**
 * POST /api/exams/:id/sign through the real app (access plugin, real encrypted SQLite, fastify inject): an
 * open exam and an exam with undecided measurements are refused with coded 409s; the signed-in clinician's
 * signature queues a VERIFIED revision naming closing's report, is recorded and audited; the same clinician
 * signing again with nothing changed since is answered that revision (idempotent: nothing built or queued),
 * another clinician's signature or one after an amendment makes the next revision naming the previous one; a
 * technician may not sign.
 */
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { Outbox } from '../../src/sync/outbox.js';
import { clinicianAlias } from '../../src/sync/deidentify.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeReportService } from '../../src/sync/sr-revision-service.js';
import { revisionUids } from '../../src/sync/sr-revision.js';
import { keyedUid } from '../../src/sync/uids.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { makeDecidedExam } from './fixture.js';

type Ds = Record<string, unknown>;
const SECRET = 'sign-route-secret';

describe('report sign-off', async () => {
  const t = await buildTestApp();
  const outbox = new Outbox(t.db);
  const store = new ExamStore(t.db);
  t.runtime.reports = makeReportService({
    exportOptions: { secret: SECRET, dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' }, targets: ['pacs'], outbox,
    geometryOf: (id) => store.capturePixels(id), poke: () => {}, organization: 'Maternity unit',
  });
  const ada = await addTokenUser(t.runtime.access.services, 'clinician', 'Ada Byron');
  const bob = await addTokenUser(t.runtime.access.services, 'clinician', 'Bob Lister');
  const tech = await addTokenUser(t.runtime.access.services, 'technician', 'tech');
  const sign = (id: string, headers = ada.headers) => t.app.inject({ method: 'POST', url: `/api/exams/${id}/sign`, headers: { ...headers, 'content-type': 'application/json' }, payload: {} });
  const srPayloads = (examId: string): Ds[] => (t.db.prepare('SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = ? ORDER BY id').all(examId, COMPREHENSIVE_SR) as Array<{ payload: Buffer }>).map((r) => readPart10(r.payload));

  it('refuses an open exam, and one with an undecided measurement, naming it', async () => {
    const open = store.createExam({});
    const r1 = await sign(open.id);
    expect(r1.statusCode).toBe(409);
    expect(r1.json()).toMatchObject({ code: 'SONO_REPORT_EXAM_OPEN' });
    const { exam } = makeDecidedExam(t.db, { decideAll: false });
    const r2 = await sign(exam.id);
    expect(r2.statusCode).toBe(409);
    const body = r2.json() as { code: string; message: string; details: { undecided: string[]; kinds: string[] } };
    expect(body.code).toBe('SONO_REPORT_UNDECIDED');
    expect(body.details.kinds).toEqual(['ga']);
    expect(body.message).toContain(body.details.undecided[0]);
    expect(srPayloads(exam.id)).toEqual([]);
    expect(t.runtime.access.services.audit.list({ action: 'report.sign', outcome: 'failed' }).length).toBe(2);
  });

  it('a technician may not sign', async () => {
    const { exam } = makeDecidedExam(t.db);
    expect((await sign(exam.id, tech.headers)).statusCode).toBe(403);
  });

  it("the signed-in clinician's signature sends a VERIFIED revision naming closing's report; signing again: the same clinician is answered that revision, another's names it", async () => {
    const { exam } = makeDecidedExam(t.db);
    const r = await sign(exam.id);
    expect(r.statusCode).toBe(200);
    const s1 = r.json() as { revision: number; by: string; srUid: string; obSrUid: string; verificationFlag: string };
    expect(s1).toMatchObject({ revision: 1, by: 'Ada Byron', kind: 'signature', verificationFlag: 'VERIFIED' });
    const [tid1500, tid5000] = srPayloads(exam.id);
    expect([tid1500!.SOPInstanceUID, tid5000!.SOPInstanceUID]).toEqual([s1.srUid, s1.obSrUid]);
    const rev0 = revisionUids(SECRET, exam.id, 0);
    for (const [ds, closingUid] of [[tid1500!, keyedUid(SECRET, rev0.sr)], [tid5000!, keyedUid(SECRET, rev0.ob)]] as const) {
      expect(ds.VerificationFlag).toBe('VERIFIED');
      const v = (ds.VerifyingObserverSequence as Ds[])[0]!;
      expect(v.VerifyingOrganization).toBe('REMOVED'); // PS3.15 Table E.1-1: D (a dummy; Type 1 in the item)
      // the signer's name leaves de-identified like the deciding clinician's: their keyed alias
      expect(JSON.stringify(v.VerifyingObserverName)).toContain(clinicianAlias(SECRET, 'Ada Byron'));
      const pred = ((ds.PredecessorDocumentsSequence as Ds[])[0]!.ReferencedSeriesSequence as Ds[])[0]!.ReferencedSOPSequence as Ds[];
      expect(pred[0]!.ReferencedSOPInstanceUID).toBe(closingUid);
    }
    const audit = t.runtime.access.services.audit.list({ action: 'report.sign', outcome: 'ok' });
    expect(audit[0]).toMatchObject({ user: 'Ada Byron', target: exam.id, details: { revision: 1, srUid: s1.srUid } });

    // the same clinician signing again with nothing changed since (a double tap, a lost answer): the same revision, nothing sent
    const same = await sign(exam.id);
    expect(same.statusCode).toBe(200);
    expect(same.json()).toEqual(r.json());
    expect(srPayloads(exam.id)).toHaveLength(2);
    // another clinician's signature is a new revision, naming the one it replaces
    const again = (await sign(exam.id, bob.headers)).json() as { revision: number; srUid: string };
    expect(again.revision).toBe(2);
    const third = srPayloads(exam.id)[2]!;
    expect(third.SOPInstanceUID).toBe(again.srUid);
    expect(((((third.PredecessorDocumentsSequence as Ds[])[0]!.ReferencedSeriesSequence as Ds[])[0]!.ReferencedSOPSequence as Ds[])[0]!).ReferencedSOPInstanceUID).toBe(s1.srUid);
    const list = (await t.app.inject({ url: `/api/exams/${exam.id}/signatures`, headers: ada.headers })).json() as Array<{ revision: number; by: string; srUid: string }>;
    expect(list.map((x) => [x.revision, x.by, x.srUid])).toEqual([[1, 'Ada Byron', s1.srUid], [2, 'Bob Lister', again.srUid]]);
  });

  it('signing again after an amendment is a new revision, by the same clinician too', async () => {
    const { exam } = makeDecidedExam(t.db, { decideAll: false });
    const ga = exam.captures[0]!.measurements.find((m) => m.kind === 'ga')!;
    // a late decision amends the report (revision 1), so the signature after it is revision 2, and again 2 on a retry
    expect((await t.app.inject({ method: 'POST', url: `/api/measurements/${ga.id}/decision`, headers: { ...ada.headers, 'content-type': 'application/json' }, payload: { decision: 'confirmed' } })).statusCode).toBe(200);
    expect(((await sign(exam.id)).json() as { revision: number }).revision).toBe(2);
    expect(((await sign(exam.id)).json() as { revision: number }).revision).toBe(2);
    const list = (await t.app.inject({ url: `/api/exams/${exam.id}/signatures`, headers: ada.headers })).json() as Array<{ revision: number; kind: string }>;
    expect(list.map((x) => [x.revision, x.kind])).toEqual([[1, 'amendment'], [2, 'signature']]);
  });
});
