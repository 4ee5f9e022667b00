/**
 * Which AI results of a capture become measurements a clinician confirms or corrects, by exam type: an
 * obstetric exam keeps the fetal head's biometry, a breast exam the lesion's. A model that runs but does
 * not belong to the exam type is kept in the capture's results only.
 */
import type { BreastLesionResult } from '../analysis/breast-lesion.js';
import type { ExamType, MeasurementKind, MeasurementUnit } from './types.js';
import { TASK_OF_EXAM } from '../protocol/exam-types.js';
import { LESION_CLASSES, LESION_MARGINS, LESION_ORIENTATIONS } from '../protocol/lesion-categories.js';

export interface MeasurementRow {
  kind: MeasurementKind;
  unit: MeasurementUnit;
  value: number | null;
  text: string | null;
  geometry: unknown;
}

/** The task results a capture carries, as loosely as they come back from JSON. */
export type StoredResult = { task: string; hcMm?: number; bpdMm?: number; ofdMm?: number; gaWeeks?: number } & Partial<
  Pick<BreastLesionResult, 'class' | 'confidence' | 'malignancyProbability' | 'lesion'>
>;

/** The categories a clinician may choose when correcting a categorical measurement. */
export const CATEGORIES: Partial<Record<MeasurementKind, readonly string[]>> = {
  lesion_orientation: LESION_ORIENTATIONS,
  lesion_margin: LESION_MARGINS,
  lesion_class: LESION_CLASSES,
};

export function measurementRows(examType: ExamType, r: StoredResult): MeasurementRow[] {
  if (r.task !== TASK_OF_EXAM[examType]) return [];
  const rows: MeasurementRow[] = [];
  const num = (kind: MeasurementKind, value: number | undefined, unit: MeasurementUnit, geometry: unknown = null): void => {
    if (value !== undefined && Number.isFinite(value)) rows.push({ kind, unit, value, text: null, geometry });
  };
  if (r.task === 'fetal-head') {
    num('hc', r.hcMm, 'mm');
    num('bpd', r.bpdMm, 'mm');
    num('ofd', r.ofdMm, 'mm');
    num('ga', r.gaWeeks, 'weeks');
    return rows;
  }
  const l = r.lesion;
  if (l) {
    num('lesion_max_diameter', l.maxDiameter, l.units, l.longAxis);
    num('lesion_perpendicular_diameter', l.perpendicularDiameter, l.units, l.perpendicularAxis);
    rows.push({ kind: 'lesion_orientation', unit: 'ratio', value: l.orientation.heightToWidth, text: l.orientation.assessment, geometry: null });
    // the margin is judged on the outline: it carries the outline, the AI's and (when pushed) the clinician's
    rows.push({ kind: 'lesion_margin', unit: 'ratio', value: l.margin.solidity, text: l.margin.assessment, geometry: { outline: l.outline } });
  }
  // a withheld class (blank or colour Doppler frame) is no finding to confirm
  if (r.class) {
    rows.push({ kind: 'lesion_class', unit: '%', value: (r.confidence ?? 0) * 100, text: r.class, geometry: null });
    num('malignancy_probability', r.malignancyProbability !== undefined ? r.malignancyProbability * 100 : undefined, '%');
  }
  return rows;
}
