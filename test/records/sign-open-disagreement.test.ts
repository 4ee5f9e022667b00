/**
 * No new signature while a second reading disagrees with a value nobody adjudicated (src/records/signatures.ts
 * checkNoOpenDisagreement, src/server/plugins/sign-off.ts). Before, with HC 178.4 mm signed by Ada and disputed
 * by Bob (200 mm), a third clinician's signature sent a VERIFIED report of 178.4 mm whose text said nothing of
 * the dispute, Ada could then no longer adjudicate (only the latest signer or the second reader may), and Bob
 * could sign the value he disputes. Now: 409 SONO_REPORT_UNDECIDED naming the measurement, nothing recorded or
 * queued; the signer's retry is still answered with the stored signature; once adjudicated, signing works.
 * Real app over a real encrypted SQLite file, the SRs read from the outbox.
 */
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { Outbox } from '../../src/sync/outbox.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeReportService } from '../../src/sync/sr-revision-service.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { makeDecidedExam } from '../signoff/fixture.js';

describe('signing while a second reading disagrees', async () => {
  const t = await buildTestApp();
  const store = new ExamStore(t.db);
  t.runtime.reports = makeReportService({
    exportOptions: { secret: 's-open', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' },
    targets: ['pacs'],
    outbox: new Outbox(t.db),
    geometryOf: (id) => store.capturePixels(id),
    poke: () => {},
    organization: 'Maternity unit',
  });
  const ada = await addTokenUser(t.runtime.access.services, 'clinician', 'Ada Byron');
  const bob = await addTokenUser(t.runtime.access.services, 'clinician', 'Bob Lister');
  const carl = await addTokenUser(t.runtime.access.services, 'clinician', 'Carl Third');
  const post = (url: string, headers: { authorization: string }, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: payload as Record<string, unknown> });
  const srCount = (examId: string): number => (t.db.prepare('SELECT count(*) n FROM outbox WHERE exam_id = ? AND sop_class_uid = ?').get(examId, COMPREHENSIVE_SR) as { n: number }).n;
  const revisions = (examId: string): number => (t.db.prepare('SELECT count(*) n FROM report_revisions WHERE exam_id = ?').get(examId) as { n: number }).n;

  it('is refused for anyone but a retry of the latest signature, until the disagreement is adjudicated', async () => {
    const { exam } = makeDecidedExam(t.db); // HC corrected to 178.4 mm by Dr Alice Martin
    const hc = exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).json()).toMatchObject({ revision: 1, verificationFlag: 'VERIFIED' });
    expect((await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: false, value: 200 })).json()).toMatchObject({ flagged: true });
    const srs = srCount(exam.id);

    for (const who of [carl, bob]) {
      const r = await post(`/api/exams/${exam.id}/sign`, who.headers, {});
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ code: 'SONO_REPORT_UNDECIDED', details: { examId: exam.id, disagreements: [hc.id], kinds: ['hc'] } });
      expect(r.json().message).toContain('adjudicat');
    }
    expect([revisions(exam.id), srCount(exam.id)]).toEqual([1, srs]);
    // Ada's retry (an answer lost on Wi-Fi) is her stored signature, nothing new
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).json()).toMatchObject({ revision: 1, by: 'Ada Byron' });
    expect([revisions(exam.id), srCount(exam.id)]).toEqual([1, srs]);

    // the first signer may still adjudicate; the amendment goes, then a signature does
    expect((await post(`/api/measurements/${hc.id}/adjudicate`, ada.headers, { value: 190 })).json()).toMatchObject({ flagged: false, adjudicated: { value: 190 } });
    expect((await post(`/api/exams/${exam.id}/sign`, carl.headers, {})).json()).toMatchObject({ revision: 3, by: 'Carl Third', verificationFlag: 'VERIFIED' });
  });

  it('an agreement blocks nothing', async () => {
    const { exam } = makeDecidedExam(t.db);
    const hc = exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    expect((await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: true })).json()).toMatchObject({ flagged: false });
    expect((await post(`/api/exams/${exam.id}/sign`, carl.headers, {})).json()).toMatchObject({ revision: 2, by: 'Carl Third' });
  });
});
