/**
 * The value of record of a second-read measurement (src/records/value-of-record.ts): after a second reader
 * disagrees and a clinician adjudicates, every reader of the record shows the adjudicated value, never the
 * overruled first one: the exam API, the printed report's model, the amended SR's measurement content items
 * (TID 1500 and TID 5000), both growth visit lists and the QA export. The first, second and adjudicated
 * readings stay as they were (GET /api/exams/:id/second-reads, the decision history, the amended SR's comment).
 * A later disagreement with no adjudication is flagged and the record keeps the last settled value (here the
 * adjudicated one, which the amended report sent); an agreement after an adjudication keeps it too.
 * Real app over a real encrypted SQLite file, the amended SR read back from the outbox.
 */
import { describe, expect, it } from 'vitest';
import { ExamStore } from '../../src/records/exam-store.js';
import { PatientRecords } from '../../src/records/patient-records.js';
import { SecondReadStore } from '../../src/records/second-read.js';
import type { Exam } from '../../src/records/types.js';
import { ReportText } from '../../src/report/i18n.js';
import { reportModel } from '../../src/report/report-model.js';
import { prepareItem } from '../../src/qa-export/item.js';
import { manifestCsv } from '../../src/qa-export/csv.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { Outbox } from '../../src/sync/outbox.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeReportService } from '../../src/sync/sr-revision-service.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';
import { makeDecidedExam } from './fixture.js';

type Ds = Record<string, unknown>;

/** Every NUM content item of `code` in an SR's content tree, as its numeric value. */
function numbers(ds: Ds, codeValue: string): number[] {
  const out: number[] = [];
  const walk = (items: unknown): void => {
    for (const it of (items as Ds[] | undefined) ?? []) {
      const name = (it.ConceptNameCodeSequence as Ds[] | undefined)?.[0]?.CodeValue;
      if (it.ValueType === 'NUM' && name === codeValue) out.push(Number((it.MeasuredValueSequence as Ds[])[0]!.NumericValue));
      walk(it.ContentSequence);
    }
  };
  walk(ds.ContentSequence);
  return out;
}

describe('the value of record after a second reading', async () => {
  const t = await buildTestApp();
  const store = new ExamStore(t.db);
  const reports = makeReportService({
    exportOptions: { secret: 's-vor', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' },
    targets: ['pacs'],
    outbox: new Outbox(t.db),
    geometryOf: (id) => store.capturePixels(id),
    poke: () => {},
    organization: 'Maternity unit',
  });
  t.runtime.reports = reports;
  const ada = await addTokenUser(t.runtime.access.services, 'clinician', 'Ada Byron');
  const bob = await addTokenUser(t.runtime.access.services, 'clinician', 'Bob Lister');
  const post = (url: string, headers: { authorization: string }, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: payload as Record<string, unknown> });
  const srs = (examId: string): Ds[] =>
    (t.db.prepare('SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = ? ORDER BY id').all(examId, COMPREHENSIVE_SR) as Array<{ payload: Buffer }>).map(
      (r) => readPart10(r.payload) as Ds,
    );
  const hcOf = (exam: Exam) => exam.captures[0]!.measurements.find((m) => m.kind === 'hc')!;

  it('the exam, the report, the amended SR, the growth visits and the QA export carry the adjudicated HC; the readings stay', async () => {
    const { exam } = makeDecidedExam(t.db); // HC corrected to 178.4 mm by Dr Alice Martin, the rest confirmed
    const hc = hcOf(exam);
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    expect((await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: false, value: 181 })).json()).toMatchObject({ flagged: true });
    // while the disagreement is open the record shows the signed first value, flagged
    const open = hcOf((await t.app.inject({ url: `/api/exams/${exam.id}`, headers: ada.headers })).json() as Exam);
    expect(open).toMatchObject({ finalValue: 178.4, secondRead: { flagged: true, second: { agree: false, value: 181 }, adjudicated: null } });
    expect(reportModel(store.getExam(exam.id), undefined, new ReportText('en'), '2026-06-01T10:00:00Z').captures[0]!.rows[0]!.decision).toContain(
      'second reading disagrees: 181.0 mm, awaiting adjudication',
    );

    expect((await post(`/api/measurements/${hc.id}/adjudicate`, ada.headers, { value: 180 })).statusCode).toBe(200);

    // the exam API
    const read = hcOf((await t.app.inject({ url: `/api/exams/${exam.id}`, headers: ada.headers })).json() as Exam);
    expect(read).toMatchObject({ finalValue: 180, state: 'corrected', decidedBy: 'Ada Byron', finalGeometry: null });
    expect(read).toMatchObject({ secondRead: { flagged: false, first: { value: 178.4, by: 'Dr Alice Martin' }, adjudicated: { value: 180, by: 'Ada Byron' } } });
    // the printed report's row
    const row = reportModel(store.getExam(exam.id), undefined, new ReportText('en'), '2026-06-01T10:00:00Z').captures[0]!.rows[0]!;
    expect(row.label).toBe('HC');
    expect(row.final).toBe('180.0 mm');
    expect(row.decision).toContain('adjudicated');
    expect(row.decision).toContain('first reading 178.4 mm');
    // the amended SR (revision 2: TID 1500 then TID 5000) measures 180, the signed one 178.4
    const sent = srs(exam.id);
    expect(sent).toHaveLength(4);
    expect(numbers(sent[0]!, '11984-2')).toEqual([178.4]);
    expect(numbers(sent[2]!, '11984-2')).toEqual([180]);
    expect(numbers(sent[3]!, '11984-2')).toEqual([180]);
    expect(JSON.stringify(sent[2]!.ContentSequence)).toContain('Second reading of hc: first reader 178.40 mm, second reader 181.00 mm, adjudicated 180.00 mm.');
    // both growth visit lists
    expect(store.hcVisits(exam.id).find((v) => v.examId === exam.id)!.hcMm).toBe(180);
    expect(new PatientRecords(t.db).hcVisits('PID-0815').find((v) => v.examId === exam.id)).toMatchObject({ hcMm: 180, state: 'corrected', decidedBy: 'Ada Byron' });
    // the QA export: the first reader's value where it was (final_value), the value of record at the end of the row
    const reads = new SecondReadStore(t.db).readings(exam.id);
    const capture = store.getExam(exam.id).captures[0]!;
    const px = { ...store.capturePixels(capture.id), region: { ...store.capturePixels(capture.id).region, origin: 'set' } };
    const item = prepareItem(store.getExam(exam.id), capture, px, reads, { secret: 'k', dates: 'shift' }).entry;
    const qaHc = item.measurements.find((m) => m.kind === 'hc')!;
    expect(qaHc).toMatchObject({ state: 'corrected', final: { value: 178.4 }, adjudicated: { value: 180 }, record: { value: 180, flagged: false } });
    const csv = manifestCsv([item]).split('\r\n');
    const header = csv[0]!.split(',');
    const hcRow = csv.find((l) => l.includes(',hc,'))!.split(',');
    expect([hcRow[header.indexOf('final_value')], hcRow[header.indexOf('adjudicated_value')], hcRow[header.indexOf('record_value')]]).toEqual(['178.4', '180', '180']);
    // the readings themselves are unchanged: first, second and adjudicated
    expect(reads.find((r) => r.measurementId === hc.id)).toMatchObject({ first: { value: 178.4 }, second: { value: 181 }, adjudicated: { value: 180 }, flagged: false });
    expect(store.decisionHistory(hc.id).map((d) => d.finalValue)).toEqual([178.4]);
  });

  it('a later disagreement flags and keeps the adjudicated value, said in the next amendment; a later agreement keeps it unflagged', async () => {
    const { exam } = makeDecidedExam(t.db);
    const [hc, bpd] = (['hc', 'bpd'] as const).map((k) => exam.captures[0]!.measurements.find((m) => m.kind === k)!);
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    await post(`/api/measurements/${hc!.id}/second-read`, bob.headers, { agree: false, value: 181 });
    expect((await post(`/api/measurements/${hc!.id}/adjudicate`, ada.headers, { value: 180 })).statusCode).toBe(200);
    // a new disagreement with the adjudicated HC: flagged, the record keeps 180 (what the amendment sent)
    expect((await post(`/api/measurements/${hc!.id}/second-read`, bob.headers, { agree: false, value: 182 })).json()).toMatchObject({ flagged: true });
    // BPD adjudicated meanwhile: its amendment carries HC 180 and says the HC disagreement is open
    await post(`/api/measurements/${bpd!.id}/second-read`, bob.headers, { agree: false, value: 50 });
    expect((await post(`/api/measurements/${bpd!.id}/adjudicate`, ada.headers, { value: 49 })).statusCode).toBe(200);
    const amended = srs(exam.id).at(-2)!;
    expect([numbers(amended, '11984-2'), numbers(amended, '11820-8')]).toEqual([[180], [49]]);
    expect(JSON.stringify(amended.ContentSequence)).toContain('Second reading of hc: second reader 182.00 mm disagrees with the value reported (180.00 mm), not yet adjudicated.');
    // then the BPD's second reader agrees with 49: kept, unflagged
    expect((await post(`/api/measurements/${bpd!.id}/second-read`, bob.headers, { agree: true })).json()).toMatchObject({ flagged: false });
    const ms = store.getExam(exam.id).captures[0]!.measurements;
    expect(ms.find((m) => m.kind === 'hc')).toMatchObject({ finalValue: 180, secondRead: { flagged: true, second: { value: 182 }, adjudicated: { value: 180 } } });
    expect(ms.find((m) => m.kind === 'bpd')).toMatchObject({ finalValue: 49, secondRead: { flagged: false, second: { agree: true }, adjudicated: { value: 49 } } });
    expect(store.hcVisits(exam.id).find((v) => v.examId === exam.id)!.hcMm).toBe(180);
    const row = reportModel(store.getExam(exam.id), undefined, new ReportText('fr'), '2026-06-01T10:00:00Z').captures[0]!.rows[0]!;
    expect([row.final, row.decision]).toEqual([
      '180,0 mm',
      "corrigé par Ada Byron (arbitré après une seconde lecture ; première lecture 178,4 mm ; la seconde lecture diffère : 182,0 mm, en attente d'arbitrage)",
    ]);
  });
});
