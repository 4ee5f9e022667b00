/**
 * A closed breast exam whose captures were taken on the given sides (undefined: a capture stored before sides
 * were recorded), each with the lesion model's real analysis of the same taller-than-wide oval.
 */
import { join } from 'node:path';
import { BreastLesionAnalyzer } from '../../src/analysis/breast-lesion.js';
import type { BreastSide } from '../../src/protocol/laterality.js';
import { loadOrCreateKey, openDatabase } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { softEllipse } from './soft-ellipse.js';
import { tempDir } from './tmp.js';

export function breastExamBothSides(sides: Array<BreastSide | undefined>): { store: ExamStore; exam: ReturnType<ExamStore['getExam']> } {
  const dir = tempDir('breast-side-');
  const store = new ExamStore(openDatabase(join(dir, 'r.db'), loadOrCreateKey(join(dir, 'k'), {})));
  const w = 320;
  const h = 240;
  const region = { x: 40, y: 30, width: 240, height: 200 };
  const px = new Uint8Array(w * h);
  for (let y = region.y; y < region.y + region.height; y++) for (let x = region.x; x < region.x + region.width; x++) px[y * w + x] = ((x * 5 + y * 11) % 180) + 30;
  const grid = { width: 120, height: 100, toFrame: (x: number, y: number): [number, number] => [region.x + (x + 0.5) * 2 - 0.5, region.y + (y + 0.5) * 2 - 0.5] };
  const map = softEllipse(120, 100, { cx: 60, cy: 50, a: 22, b: 14, angle: (70 * Math.PI) / 180 });
  const lesion = new BreastLesionAnalyzer(120, 100).analyze(map, Float32Array.from([0.05, 0.3, 0.65]), grid, {
    width: w,
    height: h,
    region,
    pixelSpacing: { x: 0.1, y: 0.1 },
    signal: { mean: 100, std: 40 },
  });
  const exam = store.createExam({ examType: 'breast', patient: { name: 'ROE^ANNA', id: 'PID-SIDE-1', sex: 'F' }, operator: 'sonographer-a' });
  sides.forEach((laterality, i) =>
    store.addCapture(
      exam.id,
      {
        frameSeq: i + 1,
        width: w,
        height: h,
        channels: 1,
        pixels: px,
        pixelSpacing: { x: 0.1, y: 0.1 },
        region,
        results: [{ modelId: 'breast-lesion', modelVersion: '1.2.0', provider: 'cpu', result: lesion }],
        laterality,
      },
      'sonographer-a',
    ),
  );
  return { store, exam: store.closeExam(exam.id, 'sonographer-a') };
}
