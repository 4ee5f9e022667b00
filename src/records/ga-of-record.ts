/**
 * The gestational age of record follows the head circumference of record. The fetal-head analysis stores GA
 * beside HC as a measurement of its own, computed from the AI's HC by Hadlock 1984 (src/analysis/biometry.ts,
 * the equation the TID 5000 report names). A clinician may correct the HC by number (a script, the API), or a
 * second reading's adjudication may replace it, without anyone touching the GA: the record then showed an HC of
 * 200 mm beside the 20.0 weeks of the AI's 175 mm head (22.2 weeks by Hadlock). So when a capture's HC is
 * decided (confirmed, corrected or adjudicated, in mm), a GA that was confirmed (the AI's GA, computed from the
 * AI's HC), or decided before the HC's decision of record (an HC corrected later, an adjudication), is the GA of
 * that HC:
 *   - the HC of record is the AI's own: the AI's GA (computed from that very HC);
 *   - otherwise hadlockGaWeeksFromHc(HC of record);
 *   - a GA already within GA_TOLERANCE_WEEKS of it (the live page corrects GA with its HC, to 2 decimals) stays as decided.
 * A GA a clinician corrected after the HC's decision of record is theirs and stays. Nothing stored changes: the
 * AI's GA, the GA's own decisions (history) and its readings stay as they were; a GA that follows its HC says
 * so in `gaFromHc` (the HC it comes from and the GA as its own decisions left it). An undecided GA stays
 * undecided (a signature still needs it decided).
 */
import { hadlockGaWeeksFromHc } from '../analysis/biometry.js';
import type { Measurement, MeasurementState } from './types.js';

/** 0.01 weeks (about 0.07 days): the page stores a corrected GA to 2 decimals. */
export const GA_TOLERANCE_WEEKS = 0.01;

/** Where a GA of record that follows its HC comes from, and the GA as its own decisions left it (kept stored). */
export interface GaFromHc {
  hcMeasurementId: string;
  /** the HC of record it is computed from, mm */
  hcMm: number;
  stored: { state: MeasurementState; value: number | null; by: string | null; at: string | null };
}

/** A measurement as the record reads it: a GA that follows its HC carries `gaFromHc`. */
export type RecordMeasurement = Measurement & { gaFromHc?: GaFromHc };

/** Hadlock's GA of `hcMm`; the AI's own GA where `hcMm` is the AI's HC (the analysis computed it from that HC). */
export function gaOfHc(hcMm: number, aiHcMm: number | null, aiGaWeeks: number | null): number {
  return aiGaWeeks !== null && aiHcMm !== null && Math.abs(hcMm - aiHcMm) < 1e-9 ? aiGaWeeks : hadlockGaWeeksFromHc(hcMm);
}

/** `gaWeeks` when it is the GA of `hcMm` (within GA_TOLERANCE_WEEKS), else the GA of `hcMm`. */
export function gaForHc(gaWeeks: number | null, hcMm: number, aiHcMm: number | null, aiGaWeeks: number | null): number {
  const weeks = gaOfHc(hcMm, aiHcMm, aiGaWeeks);
  return gaWeeks !== null && Math.abs(gaWeeks - weeks) <= GA_TOLERANCE_WEEKS ? gaWeeks : weeks;
}

/**
 * `ga` (its own value of record) following `hc` (the HC of record of the same capture). A GA confirmed, or
 * decided no later than the HC's decision of record, that does not match its HC takes the HC's GA: confirmed
 * when that is the AI's GA, else corrected; decided by whoever made the later of the two decisions (the GA's
 * own, or the HC's that changed it), at that time; no geometry.
 */
export function followHc(ga: Measurement, hc: Measurement): RecordMeasurement {
  if (ga.kind !== 'ga' || ga.state === 'unverified' || hc.state === 'unverified' || hc.unit !== 'mm' || hc.finalValue === null) return ga;
  const hcLater = (hc.decidedAt ?? '') >= (ga.decidedAt ?? '');
  // a GA corrected after the HC was decided is the clinician's own
  if (ga.state === 'corrected' && !hcLater) return ga;
  const weeks = gaForHc(ga.finalValue, hc.finalValue, hc.aiValue, ga.aiValue);
  if (weeks === ga.finalValue) return ga;
  const asAi = ga.aiValue !== null && Math.abs(weeks - ga.aiValue) <= GA_TOLERANCE_WEEKS;
  const gaFromHc: GaFromHc = { hcMeasurementId: hc.id, hcMm: hc.finalValue, stored: { state: ga.state, value: ga.finalValue, by: ga.decidedBy, at: ga.decidedAt } };
  return {
    ...ga,
    state: asAi ? 'confirmed' : 'corrected',
    finalValue: weeks,
    finalText: null,
    finalGeometry: null,
    decidedBy: hcLater ? hc.decidedBy : ga.decidedBy,
    decidedAt: hcLater ? hc.decidedAt : ga.decidedAt,
    gaFromHc,
  };
}
