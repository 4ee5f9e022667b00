/**
 * Growth over time from head size alone: pure functions over a patient's visits (date, GA, HC).
 * What this can say: how the HC z-score (INTERGROWTH-21st) moves between visits, and when it falls enough
 * to prompt a referral. What it cannot say: why (head size alone does not diagnose growth restriction,
 * which needs abdominal circumference, estimated weight and Doppler).
 */
import { intergrowthHcCentile, intergrowthHcMedianMm } from './biometry.js';
import { type Flag, flag } from './flags.js';

export interface Visit {
  /** ISO date (YYYY-MM-DD) of the scan */
  date: string;
  /** Gestational age at the scan from dating (LMP/CRL), weeks */
  gaWeeks: number;
  hcMm: number;
}

export interface VisitPoint extends Visit {
  z: number | undefined;
  centile: number | undefined;
}

export interface Interval {
  from: string;
  to: string;
  days: number;
  /** observed HC growth, mm per week */
  velocityMmPerWeek: number;
  /** growth of the INTERGROWTH-21st median over the same GA interval, mm per week */
  expectedMmPerWeek: number;
  zChange: number | undefined;
}

export interface GrowthAssessment {
  points: VisitPoint[];
  intervals: Interval[];
  flags: Flag[];
}

/** z at which the 10th centile lies: Φ⁻¹(0.10). */
export const Z_P10 = -1.2815515655446004;

export function assessGrowth(visits: Visit[]): GrowthAssessment {
  const sorted = [...visits].sort((a, b) => a.date.localeCompare(b.date));
  const points: VisitPoint[] = sorted.map((v) => {
    const c = intergrowthHcCentile(v.hcMm, v.gaWeeks);
    return { ...v, z: c.available ? c.z : undefined, centile: c.available ? c.centile : undefined };
  });
  const intervals: Interval[] = [];
  const flags: Flag[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const days = Math.round((Date.parse(b.date) - Date.parse(a.date)) / 86_400_000);
    // elapsed pregnancy time from the dating GAs (the calendar dates can be missing or shifted)
    const weeks = b.gaWeeks - a.gaWeeks;
    if (!(weeks > 0)) continue;
    const zChange = a.z !== undefined && b.z !== undefined ? b.z - a.z : undefined;
    const expected = (intergrowthHcMedianMm(b.gaWeeks) - intergrowthHcMedianMm(a.gaWeeks)) / weeks;
    intervals.push({ from: a.date, to: b.date, days, velocityMmPerWeek: (b.hcMm - a.hcMm) / weeks, expectedMmPerWeek: expected, zChange });
    if (zChange !== undefined && zChange < -1) {
      flags.push(
        flag('hc-centile-falling', 'alert', `Head growth slowed: the HC z-score fell by ${(-zChange).toFixed(1)} between ${a.date} and ${b.date}. Consider referral for a growth assessment.`),
      );
    }
    if (a.z !== undefined && b.z !== undefined && a.z >= Z_P10 && b.z < Z_P10) {
      flags.push(flag('hc-crossed-below-p10', 'alert', `Head circumference crossed below the 10th centile between ${a.date} and ${b.date}. Consider referral for a growth assessment.`));
    }
  }
  return { points, intervals, flags };
}
