import { BreastLesionAnalyzer } from '../../src/analysis/breast-lesion.js';
import type { Db } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import type { Exam } from '../../src/records/types.js';
import { softEllipse } from './soft-ellipse.js';

/**
 * A breast exam as a clinic makes one: the lesion model's real analysis of a taller-than-wide oval (and
 * the fetal-head model's result on the same frame, which a breast exam must ignore), the long axis
 * corrected with new calipers, the margin re-classed, the class confirmed; the malignancy probability
 * left undecided; then closed.
 */
export function makeClosedBreastExam(db: Db): { store: ExamStore; exam: Exam } {
  const store = new ExamStore(db);
  const w = 320;
  const h = 240;
  const region = { x: 40, y: 30, width: 240, height: 200 };
  const px = new Uint8Array(w * h);
  for (let y = region.y; y < region.y + region.height; y++) for (let x = region.x; x < region.x + region.width; x++) px[y * w + x] = (x * 5 + y * 11) % 180 + 30;
  const grid = { width: 120, height: 100, toFrame: (x: number, y: number): [number, number] => [region.x + (x + 0.5) * 2 - 0.5, region.y + (y + 0.5) * 2 - 0.5] };
  const map = softEllipse(120, 100, { cx: 60, cy: 50, a: 22, b: 14, angle: (70 * Math.PI) / 180 });
  const lesion = new BreastLesionAnalyzer(120, 100).analyze(map, Float32Array.from([0.05, 0.3, 0.65]), grid, { width: w, height: h, region, pixelSpacing: { x: 0.1, y: 0.1 }, signal: { mean: 100, std: 40 } });
  const exam = store.createExam({ examType: 'breast', patient: { name: 'ROE^ANNA', id: 'PID-BR-1', sex: 'F' }, operator: 'sonographer-a' });
  const cap = store.addCapture(exam.id, {
    frameSeq: 7, width: w, height: h, channels: 1, pixels: px, pixelSpacing: { x: 0.1, y: 0.1 }, region,
    results: [
      { modelId: 'fetal-head', modelVersion: '1.0.0', provider: 'cpu', result: { task: 'fetal-head', hcMm: 175.2 } },
      { modelId: 'breast-lesion', modelVersion: '0.1.0', provider: 'cpu', result: lesion },
    ],
  }, 'sonographer-a');
  const by = (k: string) => cap.measurements.find((m) => m.kind === k)!;
  store.decide(by('lesion_max_diameter').id, { decision: 'corrected', value: 9.5, geometry: { x1: 150, y1: 80, x2: 170, y2: 170 }, by: 'Dr Rita Osei' });
  store.decide(by('lesion_perpendicular_diameter').id, { decision: 'confirmed', by: 'Dr Rita Osei' });
  store.decide(by('lesion_orientation').id, { decision: 'confirmed', by: 'Dr Rita Osei' });
  // the clinician pushed the outline into a square-ish shape and called the margin irregular
  store.decide(by('lesion_margin').id, { decision: 'corrected', text: 'irregular', geometry: { outline: [120, 60, 200, 60, 200, 200, 120, 200] }, by: 'Dr Rita Osei' });
  store.decide(by('lesion_class').id, { decision: 'confirmed', by: 'Dr Rita Osei' });
  return { store, exam: store.closeExam(exam.id, 'sonographer-a') };
}
