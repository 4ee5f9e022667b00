import { intergrowthHcAtCentile } from '../../src/analysis/biometry.js';
import { ExamStore } from '../../src/records/exam-store.js';
import type { Db } from '../../src/records/database.js';
import type { Exam } from '../../src/records/types.js';

export const PLANTED = { name: 'DOE^JANE', id: 'PID-4711-X', birthDate: '19900214' };

/**
 * An exam like a clinic makes one: a named patient, one capture whose frame carries the patient's name and
 * birth date burned into the pixels outside the imaging region (as scanners do), AI measurements, one
 * corrected by a clinician, then closed.
 */
export function makeClosedExam(db: Db, opts: { width?: number; height?: number } = {}): { store: ExamStore; exam: Exam } {
  const store = new ExamStore(db);
  const w = opts.width ?? 320;
  const h = opts.height ?? 240;
  const region = { x: 40, y: 30, width: 240, height: 200 };
  const px = new Uint8Array(w * h);
  for (let y = region.y; y < region.y + region.height; y++) for (let x = region.x; x < region.x + region.width; x++) px[y * w + x] = (x * 7 + y * 3) % 200 + 20;
  // burned-in text: the bytes themselves, and a bright block where a scanner would draw the name
  const text = Buffer.from(`${PLANTED.name} ${PLANTED.id} ${PLANTED.birthDate}`);
  px.set(text, 2 * w + 2);
  for (let y = 10; y < 20; y++) for (let x = 2; x < 38; x++) px[y * w + x] = 250;
  const exam = store.createExam({ patient: { name: PLANTED.name, id: PLANTED.id, birthDate: PLANTED.birthDate, sex: 'F' }, datingGaWeeks: 21, operator: 'midwife-a' });
  const cap = store.addCapture(exam.id, {
    frameSeq: 12, width: w, height: h, channels: 1, pixels: px, pixelSpacing: { x: 0.3, y: 0.3 }, region,
    results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: { cx: 160, cy: 130, semiMajor: 60, semiMinor: 48, angleDeg: 10 } } as never }],
  }, 'midwife-a');
  const hc = cap.measurements.find((m) => m.kind === 'hc')!;
  store.decide(hc.id, { decision: 'corrected', value: 178.4, by: 'Dr Alice Martin' });
  return { store, exam: store.closeExam(exam.id, 'midwife-a') };
}

/**
 * An earlier visit of the planted patient at 16 weeks, its HC the AI's on the 90th centile (an 8×8 capture):
 * against makeClosedExam's 178.4 mm at 21 weeks, a fall the growth assessment flags once a clinician decides it.
 */
export function addEarlierVisit(store: ExamStore): { examId: string; hcId: string } {
  const earlier = store.createExam({ patient: { name: PLANTED.name, id: PLANTED.id, birthDate: PLANTED.birthDate, sex: 'F' }, datingGaWeeks: 16 });
  const cap = store.addCapture(
    earlier.id,
    {
      frameSeq: 3, width: 8, height: 8, channels: 1, pixels: new Uint8Array(64), pixelSpacing: { x: 0.3, y: 0.3 }, region: { x: 0, y: 0, width: 8, height: 8 },
      results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: intergrowthHcAtCentile(16, 90) } as never }],
    },
    null,
  );
  return { examId: earlier.id, hcId: cap.measurements.find((m) => m.kind === 'hc')!.id };
}
