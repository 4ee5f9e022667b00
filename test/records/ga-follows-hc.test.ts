/**
 * The gestational age of record follows the head circumference of record (src/records/value-of-record.ts).
 * GA from HC is Hadlock 1984 (Radiology 152:497–501): GA[weeks] = 8.96 + 0.540·HC + 0.0003·HC³, HC in cm
 * (../shared/REFERENCE.md; HC 175 mm → 20.0 weeks). The AI stores GA beside HC as its own measurement, so an HC
 * corrected by number (API, script) or adjudicated after a second reading used to leave the AI's GA in the exam
 * API, the printed report, both SRs (TID 1500, TID 5000) and the QA export: HC 200 mm beside GA 20.0 weeks
 * (20 w 0 d) where Hadlock gives 22.16 weeks (22 w 1 d). The stored history is not rewritten: the AI's GA,
 * the GA's own decisions and the readings stay as they were.
 * Real app over a real encrypted SQLite file; the signed and amended SRs read back from the outbox.
 */
import { describe, expect, it } from 'vitest';
import { hadlockGaWeeksFromHc } from '../../src/analysis/biometry.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { SecondReadStore } from '../../src/records/second-read.js';
import type { Exam, Measurement } from '../../src/records/types.js';
import { ReportText } from '../../src/report/i18n.js';
import { reportModel } from '../../src/report/report-model.js';
import { prepareItem } from '../../src/qa-export/item.js';
import { readPart10 } from '../../src/sync/dicom-file.js';
import { buildExamInstances } from '../../src/sync/export-exam.js';
import { Outbox } from '../../src/sync/outbox.js';
import { COMPREHENSIVE_SR } from '../../src/sync/sr.js';
import { makeReportService } from '../../src/sync/sr-revision-service.js';
import { buildTestApp } from '../helpers/app.js';
import { addTokenUser } from '../helpers/auth.js';

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

const AI_HC = 175.2;
/** as the fetal-head analysis stores it (src/analysis/fetal-head.ts): 20.03 weeks */
const AI_GA = hadlockGaWeeksFromHc(AI_HC);
/** Hadlock at HC 200 mm: 8.96 + 0.540·20 + 0.0003·20³ = 22.16 weeks */
const GA_200 = 22.16;

describe('the GA of record follows the HC of record', async () => {
  const t = await buildTestApp();
  const store = new ExamStore(t.db);
  const reports = makeReportService({
    exportOptions: { secret: 's-ga', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0' },
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
  const kindOf = (exam: Exam, kind: string): Measurement => exam.captures[0]!.measurements.find((m) => m.kind === kind)!;
  const apiExam = async (id: string): Promise<Exam> => (await t.app.inject({ url: `/api/exams/${id}`, headers: ada.headers })).json() as Exam;
  const gaRow = (exam: Exam) => reportModel(exam, undefined, new ReportText('en'), '2026-06-01T10:00:00Z').captures[0]!.rows.find((r) => r.label.startsWith('GA'))!;

  /** An obstetric exam with one capture: the AI's HC 175.2 mm and its Hadlock GA 20.03 weeks. */
  function newExam(): Exam {
    const w = 320;
    const h = 240;
    const region = { x: 40, y: 30, width: 240, height: 200 };
    const px = new Uint8Array(w * h);
    for (let y = region.y; y < region.y + region.height; y++) for (let x = region.x; x < region.x + region.width; x++) px[y * w + x] = ((x * 7 + y * 3) % 200) + 20;
    const exam = store.createExam({ patient: { name: 'ROE^MARY', id: `PID-GA-${Math.random()}`, birthDate: '19910305', sex: 'F' }, datingGaWeeks: 21 });
    const result = { task: 'fetal-head', hcMm: AI_HC, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: AI_GA, ellipse: { cx: 160, cy: 130, semiMajor: 60, semiMinor: 48, angleDeg: 10 } };
    store.addCapture(
      exam.id,
      {
        frameSeq: 3,
        width: w,
        height: h,
        channels: 1,
        pixels: px,
        pixelSpacing: { x: 0.3, y: 0.3 },
        region,
        results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: result as never }],
      },
      null,
    );
    return store.getExam(exam.id);
  }

  it('an HC corrected by number: the exam API, the report, both SRs as closed and as signed carry the GA of HC 200 mm', async () => {
    const exam = newExam();
    const [hc, bpd, ofd, ga] = (['hc', 'bpd', 'ofd', 'ga'] as const).map((k) => kindOf(exam, k));
    expect(AI_GA).toBeCloseTo(20.03, 2);
    expect((await post(`/api/measurements/${hc!.id}/decision`, ada.headers, { decision: 'corrected', value: 200 })).statusCode).toBe(200);
    // GA not decided yet: the OB report built now (as closing would) gives Hadlock's GA of the HC it reports
    const asClosed = buildExamInstances(store.getExam(exam.id), (id) => store.capturePixels(id), { secret: 'k', dates: 'shift', deviceSerial: 'SN', softwareVersion: '0', deidentified: true })
      .filter((i) => i.sopClassUid === COMPREHENSIVE_SR)
      .map((i) => readPart10(i.bytes) as Ds);
    expect(numbers(asClosed[1]!, '11984-2')).toEqual([200]);
    expect(numbers(asClosed[1]!, '18185-9')).toEqual([Math.round(GA_200 * 7)]); // 155 days, not 140
    for (const m of [bpd!, ofd!, ga!]) expect((await post(`/api/measurements/${m.id}/decision`, ada.headers, { decision: 'confirmed' })).statusCode).toBe(200);

    const read = await apiExam(exam.id);
    expect(kindOf(read, 'hc')).toMatchObject({ finalValue: 200, state: 'corrected' });
    expect(kindOf(read, 'ga').finalValue).toBeCloseTo(GA_200, 2);
    expect(kindOf(read, 'ga')).toMatchObject({ state: 'corrected', aiValue: AI_GA, decidedBy: 'Ada Byron' });
    expect(gaRow(store.getExam(exam.id))).toMatchObject({ ai: '20 w 0 d', final: '22 w 1 d' });

    store.closeExam(exam.id, null);
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    const [tid1500, tid5000] = srs(exam.id);
    expect(numbers(tid1500!, '11984-2')).toEqual([200]);
    expect(numbers(tid1500!, '18185-9')).toEqual([GA_200]);
    expect(numbers(tid5000!, '18185-9')).toEqual([Math.round(GA_200 * 7)]);
    // the GA's own decision and the AI's GA stay stored as they were
    expect(store.decisionHistory(ga!.id).map((d) => [d.decision, d.finalValue])).toEqual([['confirmed', AI_GA]]);
    expect(t.db.prepare('SELECT ai_value, final_value, state FROM measurements WHERE id = ?').get(ga!.id)).toEqual({ ai_value: AI_GA, final_value: AI_GA, state: 'confirmed' });
  });

  it('an HC adjudicated after a second reading: the exam API, the report, the amended SRs and the QA export carry the GA of the adjudicated HC', async () => {
    const exam = newExam();
    for (const m of exam.captures[0]!.measurements) store.decide(m.id, { decision: 'confirmed', by: 'Dr Alice Martin' });
    store.closeExam(exam.id, null);
    const hc = kindOf(exam, 'hc');
    const ga = kindOf(exam, 'ga');
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    expect(kindOf(await apiExam(exam.id), 'ga')).toMatchObject({ finalValue: AI_GA, state: 'confirmed' });
    expect((await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: false, value: 200 })).statusCode).toBe(200);
    // a disagreement alone changes nothing: the record keeps the signed HC and its GA
    expect(kindOf(await apiExam(exam.id), 'ga')).toMatchObject({ finalValue: AI_GA, state: 'confirmed' });
    expect((await post(`/api/measurements/${hc.id}/adjudicate`, ada.headers, { value: 200 })).statusCode).toBe(200);

    const read = await apiExam(exam.id);
    expect(kindOf(read, 'hc')).toMatchObject({ finalValue: 200, state: 'corrected', decidedBy: 'Ada Byron' });
    expect(kindOf(read, 'ga').finalValue).toBeCloseTo(GA_200, 2);
    expect(kindOf(read, 'ga')).toMatchObject({ state: 'corrected', aiValue: AI_GA, decidedBy: 'Ada Byron' });
    expect(gaRow(store.getExam(exam.id))).toMatchObject({ ai: '20 w 0 d', final: '22 w 1 d' });
    // the signed revision (TID 1500, TID 5000) kept HC 175.2 and its GA; the amendment carries HC 200 and its GA
    const sent = srs(exam.id);
    expect(sent).toHaveLength(4);
    expect([numbers(sent[0]!, '11984-2'), numbers(sent[0]!, '18185-9')]).toEqual([[AI_HC], [Number(AI_GA.toFixed(2))]]);
    expect([numbers(sent[2]!, '11984-2'), numbers(sent[2]!, '18185-9')]).toEqual([[200], [GA_200]]);
    expect([numbers(sent[3]!, '11984-2'), numbers(sent[3]!, '18185-9')]).toEqual([[200], [Math.round(GA_200 * 7)]]);
    // the QA export: the GA as its clinician decided it in `final`, the GA of record in `record`
    const capture = store.getExam(exam.id).captures[0]!;
    const px = { ...store.capturePixels(capture.id), region: { ...store.capturePixels(capture.id).region, origin: 'set' } };
    const item = prepareItem(store.getExam(exam.id), capture, px, new SecondReadStore(t.db).readings(exam.id), { secret: 'k', dates: 'shift' }).entry;
    const qaGa = item.measurements.find((m) => m.kind === 'ga')!;
    expect(qaGa).toMatchObject({ state: 'confirmed', final: { value: AI_GA } });
    expect(qaGa.record!.value).toBeCloseTo(GA_200, 2);
    // stored history unchanged: the GA's own decision, the HC's readings
    expect(store.decisionHistory(ga.id).map((d) => [d.decision, d.finalValue])).toEqual([['confirmed', AI_GA]]);
    expect(new SecondReadStore(t.db).readings(exam.id)).toMatchObject([{ measurementId: hc.id, first: { value: AI_HC }, second: { value: 200 }, adjudicated: { value: 200 }, flagged: false }]);
  });

  it('an HC adjudicated back to the AI value gives back the AI GA; a GA corrected with its HC (the live page) is kept', async () => {
    const exam = newExam();
    const gaOf190 = Number(hadlockGaWeeksFromHc(190.23).toFixed(2));
    for (const m of exam.captures[0]!.measurements) {
      if (m.kind === 'hc') store.decide(m.id, { decision: 'corrected', value: 190.23, by: 'Dr Alice Martin' });
      else if (m.kind === 'ga') store.decide(m.id, { decision: 'corrected', value: gaOf190, by: 'Dr Alice Martin' });
      else store.decide(m.id, { decision: 'confirmed', by: 'Dr Alice Martin' });
    }
    // the page's GA (Hadlock of its own HC, 2 decimals) is the GA of record as it was stored
    expect(kindOf(store.getExam(exam.id), 'ga')).toMatchObject({ finalValue: gaOf190, state: 'corrected', decidedBy: 'Dr Alice Martin' });
    store.closeExam(exam.id, null);
    const hc = kindOf(exam, 'hc');
    expect((await post(`/api/exams/${exam.id}/sign`, ada.headers, {})).statusCode).toBe(200);
    await post(`/api/measurements/${hc.id}/second-read`, bob.headers, { agree: false, value: AI_HC });
    expect((await post(`/api/measurements/${hc.id}/adjudicate`, bob.headers, { value: AI_HC })).statusCode).toBe(200);
    const read = await apiExam(exam.id);
    expect(kindOf(read, 'hc')).toMatchObject({ finalValue: AI_HC, decidedBy: 'Bob Lister' });
    expect(kindOf(read, 'ga')).toMatchObject({ finalValue: AI_GA, state: 'confirmed', decidedBy: 'Bob Lister' });
  });
});
