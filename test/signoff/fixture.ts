import { ExamStore } from '../../src/records/exam-store.js';
import type { Db } from '../../src/records/database.js';
import type { Exam } from '../../src/records/types.js';

/**
 * A closed obstetric exam whose every AI measurement was decided before closing (HC corrected to 178.4 mm by
 * one clinician, the rest confirmed): what a signature needs. `decideAll: false` leaves GA undecided.
 */
export function makeDecidedExam(db: Db, opts: { decideAll?: boolean; by?: string } = {}): { store: ExamStore; exam: Exam } {
  const store = new ExamStore(db);
  const w = 320;
  const h = 240;
  const region = { x: 40, y: 30, width: 240, height: 200 };
  const px = new Uint8Array(w * h);
  for (let y = region.y; y < region.y + region.height; y++) for (let x = region.x; x < region.x + region.width; x++) px[y * w + x] = (x * 7 + y * 3) % 200 + 20;
  const exam = store.createExam({ patient: { name: 'ROE^MARY', id: 'PID-0815', birthDate: '19910305', sex: 'F' }, datingGaWeeks: 21 });
  const cap = store.addCapture(exam.id, {
    frameSeq: 3, width: w, height: h, channels: 1, pixels: px, pixelSpacing: { x: 0.3, y: 0.3 }, region,
    results: [{ modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175.2, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: { cx: 160, cy: 130, semiMajor: 60, semiMinor: 48, angleDeg: 10 } } as never }],
  }, null);
  const by = opts.by ?? 'Dr Alice Martin';
  for (const m of cap.measurements) {
    if (m.kind === 'hc') store.decide(m.id, { decision: 'corrected', value: 178.4, by });
    else if (m.kind !== 'ga' || opts.decideAll !== false) store.decide(m.id, { decision: 'confirmed', by });
  }
  return { store, exam: store.closeExam(exam.id, null) };
}
