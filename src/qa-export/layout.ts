/**
 * The QA / retraining export's folder layout and manifest types (README "QA and retraining export"), in the
 * spirit of HC18 (an image, its annotation, one CSV with pixel size and HC) and BUSI (a folder per class of
 * case, `<name>.png` beside `<name>_mask.png`):
 *
 *   <out>/
 *     manifest.json            the export (when, filters, counts) and one entry per image, everything below
 *     manifest.csv             one row per measurement (AI value beside the clinicians' values, file names) and
 *                              one per clinician caliper (kind caliper-distance / caliper-area)
 *     withheld.json            images kept back (no region set, text read by the OCR, OCR failed), no pixels
 *     README.txt               this layout in words
 *     obstetric/images/<item>.png               the frame, 8-bit gray, cleaned like the PACS copy
 *     obstetric/masks/<item>_ai.png             the model's fitted head ellipse, filled (0/255)
 *     obstetric/masks/<item>_final.png          the ellipse as the clinicians left it (absent: value-only or undecided)
 *     breast/images/<item>.png, breast/masks/<item>_ai.png, breast/masks/<item>_final.png  (lesion outline, filled)
 *
 * Nothing here names a person: patients are the PACS path's keyed pseudonym, exams and items keyed ids,
 * clinicians keyed reader ids, dates shifted per patient (or removed) like the PACS copy; text the OCR read is
 * never written, only that it was found.
 */
import type { ExamType, ManualMeasure } from '../records/types.js';
import type { EllipseGeom } from './masks.js';

/** Where the clinicians' final outline came from. */
export type FinalSource =
  /** every measurement of the outline confirmed: the AI's outline is the final one */
  | 'confirmed'
  /** a clinician moved the outline (the edited ellipse or the pushed lesion outline) */
  | 'clinician'
  /** a value was corrected but no outline was stored with it: only the values are final */
  | 'value-only'
  /** nobody confirmed or corrected it (the exam closed undecided) */
  | 'undecided';

export interface QaReading {
  value: number | null;
  text: string | null;
  /** keyed reader id, the same clinician gets the same id in every export of this device */
  by: string;
}

export interface QaMeasurement {
  kind: string;
  unit: string;
  state: 'unverified' | 'confirmed' | 'corrected';
  /** geometry as stored by the analysis, whole numbers at pixel centres */
  ai: { value: number | null; text: string | null; geometry: unknown };
  /** geometry in the corner convention: a correction's as drawn, a confirmation's the AI's moved by +0.5 */
  final: { value: number | null; text: string | null; geometry: unknown; by: string | null } | null;
  secondRead: (QaReading & { agree: boolean }) | null;
  adjudicated: QaReading | null;
  /**
   * The value of record (src/records/value-of-record.ts): the latest adjudication's, else the first decision's;
   * `flagged`: the latest second reading disagrees and nobody adjudicated it yet. null: undecided.
   */
  record: { value: number | null; text: string | null; flagged: boolean } | null;
}

/** One of the clinician's own calipers on the frame (calipers.ts): a distance's two ends or an area's corners. */
export interface QaCaliper {
  kind: ManualMeasure['kind'];
  /** its number among the capture's calipers of its kind (D1, D2, A1…), as the report shows it */
  n: number;
  /** frame pixels as stored, [x, y], canvas corner convention: 0,0 is the top-left corner of the top-left pixel */
  points: Array<[number, number]>;
  /** recomputed by the daemon from the points and the frame's pixel spacing when it was stored */
  value: number;
  unit: ManualMeasure['unit'];
  /** keyed reader id of the clinician who measured it (null: stored without a signed-in clinician) */
  by: string | null;
}

export interface QaItem {
  item: string;
  exam: string;
  patient: string;
  examType: ExamType;
  /** YYYY-MM-DD, shifted per patient like the PACS copy; null when dates are removed */
  examDate: string | null;
  datingGaWeeks: number | null;
  width: number;
  height: number;
  pixelSpacingMm: { x: number; y: number } | null;
  imagingRegion: { x: number; y: number; width: number; height: number };
  model: { id: string; version: string; provider: string } | null;
  /** the exam type's model output on this frame, as it was stored: frame pixels with whole numbers at pixel centres */
  aiResult: unknown;
  /**
   * the outline the clinicians left, always in the corner convention (0,0 the top-left corner of the top-left
   * pixel, as the calipers and the SR): a clinician's edit as drawn, a confirmed AI shape moved by +0.5 (corner.ts)
   */
  final: { source: FinalSource; ellipse: EllipseGeom | null; outline: number[] | null };
  files: { image: string; maskAi: string | null; maskFinal: string | null };
  measurements: QaMeasurement[];
  /** the clinician's own calipers on this frame, [] when none */
  calipers: QaCaliper[];
}

export interface QaWithheld {
  item: string;
  exam: string;
  examType: ExamType;
  /** SONO_REGION_NOT_SET, SONO_BURNED_IN_TEXT or SONO_OCR_FAILED; the text read is never written */
  code: string;
  message: string;
}

export interface QaManifest {
  format: 'sonoedge-qa-export';
  version: 1;
  exportedAt: string;
  software: string;
  filters: { from: string | null; to: string | null; examType: ExamType | null };
  deidentification: { patient: 'keyed pseudonym'; dates: 'shift' | 'remove'; pixels: 'outside the imaging region zeroed, OCR-checked' };
  counts: { exams: number; items: number; withheld: number };
  items: QaItem[];
}

export const FOLDER_OF: Record<ExamType, string> = { obstetric: 'obstetric', breast: 'breast' };

export function filesOf(examType: ExamType, item: string): { image: string; maskAi: string; maskFinal: string } {
  const f = FOLDER_OF[examType];
  return { image: `${f}/images/${item}.png`, maskAi: `${f}/masks/${item}_ai.png`, maskFinal: `${f}/masks/${item}_final.png` };
}
