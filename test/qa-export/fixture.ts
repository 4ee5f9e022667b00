/**
 * Records for the QA export tests, written through the real stores into a real encrypted SQLite file: what
 * a clinic's device holds after a few days. Every picture is a smooth head- or lesion-like shape (no text of
 * its own for the OCR to find); a patient's name is burned above the imaging region of one frame (cleaned
 * away) and inside the region of another (withheld).
 */
import { BreastLesionAnalyzer } from '../../src/analysis/breast-lesion.js';
import type { ImagingRegion } from '../../src/capture/frame.js';
import type { Db } from '../../src/records/database.js';
import { ExamStore } from '../../src/records/exam-store.js';
import { SecondReadStore } from '../../src/records/second-read.js';
import { SignatureStore } from '../../src/records/signatures.js';
import type { Capture, Exam } from '../../src/records/types.js';
import { burnText } from '../ocr/burn-text.js';
import { softEllipse } from '../helpers/soft-ellipse.js';

export const W = 320;
export const H = 240;
export const REGION = { x: 40, y: 30, width: 240, height: 200 };
export const PHI = { name: 'DOE^JANE', id: 'MRN-4711', birthDate: '19900101', breastName: 'ROE^ANNA', breastId: 'PID-BR-1' };
export const CLINICIANS = { signer: 'Dr Alice Martin', second: 'Dr Bob Stone', breast: 'Dr Rita Osei' };
/** The AI's head ellipse on every obstetric frame (frame pixels). */
export const AI_ELLIPSE = { cx: 160, cy: 130, semiMajor: 60, semiMinor: 48, angleDeg: 10 };
/**
 * The signer's own calipers on the signed exam's frame (pixel spacing 0.3 mm): a distance of 60 × 80 px
 * (18 × 24 mm → 30 mm) and a 100 × 80 px rectangle (8000 px² × 0.09 → 720 mm²), frame pixels, corner convention.
 */
export const CALIPERS = [
  { kind: 'distance', points: [[100.5, 80], [160.5, 160]] },
  { kind: 'area', points: [[100, 60], [200, 60], [200, 140], [100, 140]] },
];
/**
 * The ellipse a clinician left on the edited exam's frame, as the page stores it: canvas coordinates, 0,0 the
 * top-left corner of the top-left pixel. Centred on the frame's middle corner (between pixels 159 and 160,
 * 119 and 120), so its mask is mirror-symmetric about the frame's middle; no pixel centre lies on its edge.
 */
export const EDITED_ELLIPSE = { cx: 160, cy: 120, semiMajor: 40, semiMinor: 30, angleDeg: 0 };
/** The outline the clinician pushed the lesion into (page canvas, corner convention). */
export const PUSHED_OUTLINE = [120, 60, 200, 60, 200, 200, 120, 200];

/** A bright soft ring (a skull) on a dark field inside the region; zero outside. */
export function headPicture(): Uint8Array {
  const px = new Uint8Array(W * H);
  const a = (AI_ELLIPSE.angleDeg * Math.PI) / 180;
  for (let y = REGION.y; y < REGION.y + REGION.height; y++) {
    for (let x = REGION.x; x < REGION.x + REGION.width; x++) {
      const dx = x - AI_ELLIPSE.cx;
      const dy = y - AI_ELLIPSE.cy;
      const u = (dx * Math.cos(a) + dy * Math.sin(a)) / AI_ELLIPSE.semiMajor;
      const v = (-dx * Math.sin(a) + dy * Math.cos(a)) / AI_ELLIPSE.semiMinor;
      const r = Math.hypot(u, v);
      px[y * W + x] = Math.round(30 + 160 * Math.exp(-((r - 1) ** 2) / 0.004) + (y - REGION.y) * 0.1);
    }
  }
  return px;
}

const fetal = (hcMm = 175.2) => ({
  modelId: 'fetal-head',
  modelVersion: '1.2.0',
  provider: 'cpu',
  result: { task: 'fetal-head', detected: true, hcMm, bpdMm: 48.1, ofdMm: 61.3, gaWeeks: 20.1, ellipse: AI_ELLIPSE, confidence: 0.9 } as never,
});

export interface Fixture {
  /** closed: HC corrected by value, the rest confirmed; name burned above the region (cleaned) */
  corrected: { exam: Exam; capture: Capture };
  /** same exam, second frame: name burned inside the region (withheld by the OCR) */
  burned: { capture: Capture };
  /** closed, everything confirmed, signed, HC second-read 181 (disagree), adjudicated 179.5, CALIPERS by the signer; dated 2026-03-02 */
  signed: { exam: Exam; capture: Capture };
  /** closed breast exam: the outline pushed and the margin re-classed */
  breast: { exam: Exam; capture: Capture; aiOutline: number[] };
  /** closed, the head ellipse edited on the page: HC and OFD corrected with EDITED_ELLIPSE, BPD and GA confirmed; dating GA 23 */
  edited: { exam: Exam; capture: Capture };
  /** closed grabber exam whose source had no region set (withheld) */
  unset: { exam: Exam; capture: Capture };
  /** still open: not exported */
  open: Exam;
}

export async function writeRecords(db: Db): Promise<Fixture> {
  const store = new ExamStore(db);
  const add = (examId: string, seq: number, pixels: Uint8Array, region: ImagingRegion = REGION, results = [fetal()], calipers?: { list: typeof CALIPERS; by: string }): Capture =>
    store.addCapture(
      examId,
      { frameSeq: seq, width: W, height: H, channels: 1, pixels, pixelSpacing: { x: 0.3, y: 0.3 }, region, results, clinicianMeasurements: calipers?.list },
      calipers?.by ?? null,
    );

  // 1. name above the region (cleaned away) and, on a second frame, inside it
  const e1 = store.createExam({ patient: { name: PHI.name, id: PHI.id, birthDate: PHI.birthDate, sex: 'F' }, datingGaWeeks: 21, operator: 'sonographer-jones' });
  const c1 = add(e1.id, 1, await burnText(headPicture(), W, H, 'JANE DOE 4711', 50, 20));
  const c2 = add(e1.id, 2, await burnText(headPicture(), W, H, 'JANE DOE 4711', 60, 215, 18));
  for (const c of [c1, c2]) {
    for (const m of c.measurements) store.decide(m.id, m.kind === 'hc' ? { decision: 'corrected', value: 178.4, by: CLINICIANS.signer } : { decision: 'confirmed', by: CLINICIANS.signer });
  }
  const corrected = store.closeExam(e1.id, null);

  // 2. all confirmed, signed, second-read and adjudicated, the signer's own calipers on it; back-dated to test the date filter
  const e2 = store.createExam({ patient: { name: PHI.name, id: PHI.id, birthDate: PHI.birthDate, sex: 'F' }, datingGaWeeks: 22 });
  const c3 = add(e2.id, 3, headPicture(), REGION, [fetal()], { list: CALIPERS, by: CLINICIANS.signer });
  for (const m of c3.measurements) store.decide(m.id, { decision: 'confirmed', by: CLINICIANS.signer });
  store.closeExam(e2.id, null);
  db.prepare('UPDATE exams SET created_at = ? WHERE id = ?').run('2026-03-02T09:15:00.000Z', e2.id);
  new SignatureStore(db).addRevision(e2.id, { kind: 'signature', by: CLINICIANS.signer, at: new Date() }, () => undefined);
  const reads = new SecondReadStore(db);
  const hc3 = c3.measurements.find((m) => m.kind === 'hc')!;
  reads.secondRead(hc3.id, { reader: CLINICIANS.second, agree: false, value: 181 });
  reads.adjudicate(hc3.id, { by: CLINICIANS.signer, value: 179.5 });
  for (const m of c3.measurements.filter((m) => m.kind !== 'hc')) reads.secondRead(m.id, { reader: CLINICIANS.second, agree: true });

  // 3. breast: the lesion model's real analysis of an oval, the outline pushed by the clinician
  const grid = { width: 120, height: 100, toFrame: (x: number, y: number): [number, number] => [REGION.x + (x + 0.5) * 2 - 0.5, REGION.y + (y + 0.5) * 2 - 0.5] };
  const lesion = new BreastLesionAnalyzer(120, 100).analyze(softEllipse(120, 100, { cx: 60, cy: 50, a: 22, b: 14, angle: (70 * Math.PI) / 180 }), Float32Array.from([0.05, 0.3, 0.65]), grid, {
    width: W, height: H, region: REGION, pixelSpacing: { x: 0.1, y: 0.1 }, signal: { mean: 100, std: 40 },
  });
  const e3 = store.createExam({ examType: 'breast', patient: { name: PHI.breastName, id: PHI.breastId, sex: 'F' } });
  const c4 = add(e3.id, 4, headPicture(), REGION, [{ modelId: 'breast-lesion', modelVersion: '0.3.1', provider: 'cpu', result: lesion as never }]);
  for (const m of c4.measurements) {
    if (m.kind === 'lesion_margin') store.decide(m.id, { decision: 'corrected', text: 'irregular', geometry: { outline: PUSHED_OUTLINE }, by: CLINICIANS.breast });
    else if (m.kind !== 'malignancy_probability') store.decide(m.id, { decision: 'confirmed', by: CLINICIANS.breast });
  }
  const breast = store.closeExam(e3.id, null);

  // 3b. the head ellipse edited on the page: the corrections carry it, as the page sends them
  const e5 = store.createExam({ patient: { name: PHI.name, id: PHI.id, birthDate: PHI.birthDate, sex: 'F' }, datingGaWeeks: 23 });
  const c7 = add(e5.id, 7, headPicture());
  const editedValues: Record<string, number> = { hc: 66.1, ofd: 24 };
  for (const m of c7.measurements) {
    const value = editedValues[m.kind];
    store.decide(m.id, value !== undefined ? { decision: 'corrected', value, geometry: { ellipse: EDITED_ELLIPSE }, by: CLINICIANS.signer } : { decision: 'confirmed', by: CLINICIANS.signer });
  }
  const edited = store.closeExam(e5.id, null);

  // 4. a grabber's whole screen, no region set: never exported
  const e4 = store.createExam({ patient: { name: PHI.name, id: PHI.id } });
  const unsetRegion: ImagingRegion = { x: 0, y: 0, width: W, height: H, origin: 'unset' };
  const c5 = add(e4.id, 5, headPicture(), unsetRegion);
  const unset = store.closeExam(e4.id, null);

  const open = store.createExam({ patient: { name: PHI.name, id: PHI.id } });
  add(open.id, 6, headPicture());

  return {
    corrected: { exam: corrected, capture: c1 },
    burned: { capture: c2 },
    signed: { exam: store.getExam(e2.id), capture: c3 },
    breast: { exam: breast, capture: c4, aiOutline: lesion.lesion!.outline },
    edited: { exam: edited, capture: c7 },
    unset: { exam: unset, capture: c5 },
    open,
  };
}
