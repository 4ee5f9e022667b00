/**
 * Fetal biometry equations. Pure; golden values in test/analysis/biometry.test.ts cite their sources.
 */

/**
 * Hadlock FP, Deter RL, Harrist RB, Park SK. Estimating fetal age: computer-assisted analysis of multiple
 * fetal growth parameters. Radiology 1984;152:497–501. GA[weeks] = 8.96 + 0.540·HC + 0.0003·HC³, HC in cm.
 */
export function hadlockGaWeeksFromHc(hcMm: number): number {
  const hc = hcMm / 10;
  return 8.96 + 0.54 * hc + 0.0003 * hc ** 3;
}

/** Range of HC over which Hadlock's regression was derived (about 12–42 weeks); outside it GA is flagged. */
export const HADLOCK_HC_RANGE_MM = { min: 60, max: 370 } as const;

/**
 * INTERGROWTH-21st fetal head circumference standard (Papageorghiou AT et al., Lancet 2014;384:869–79),
 * HC in mm, GA in exact weeks, natural logarithms.
 */
export function intergrowthHcMedianMm(gaWeeks: number): number {
  const g = gaWeeks;
  return -28.2849 + 1.69267 * g * g - 0.397485 * g * g * Math.log(g);
}

export function intergrowthHcSdMm(gaWeeks: number): number {
  const g = gaWeeks;
  const l = Math.log(g);
  return 1.98735 + 0.0136772 * g ** 3 - 0.00726264 * g ** 3 * l + 0.000976253 * g ** 3 * l * l;
}

/** The standard is defined for about 14–40 weeks; outside it no centile is given, never an extrapolation. */
export const INTERGROWTH_GA_RANGE = { min: 14, max: 40 } as const;

export type CentileResult = { available: true; z: number; centile: number; medianMm: number; sdMm: number } | { available: false; reason: string };

export function intergrowthHcCentile(hcMm: number, gaWeeks: number): CentileResult {
  if (!(gaWeeks >= INTERGROWTH_GA_RANGE.min && gaWeeks <= INTERGROWTH_GA_RANGE.max)) {
    return {
      available: false,
      reason: `No centile: the INTERGROWTH-21st HC standard covers ${INTERGROWTH_GA_RANGE.min}–${INTERGROWTH_GA_RANGE.max} weeks and the dating GA is ${gaWeeks.toFixed(1)} weeks`,
    };
  }
  const medianMm = intergrowthHcMedianMm(gaWeeks);
  const sdMm = intergrowthHcSdMm(gaWeeks);
  const z = (hcMm - medianMm) / sdMm;
  return { available: true, z, centile: 100 * normalCdf(z), medianMm, sdMm };
}

/** HC at a given centile (for drawing the growth chart's curves). */
export function intergrowthHcAtCentile(gaWeeks: number, centile: number): number {
  return intergrowthHcMedianMm(gaWeeks) + normalQuantile(centile / 100) * intergrowthHcSdMm(gaWeeks);
}

/** INTERGROWTH-21st GA from crown–rump length: GA[days] = 40.9041 + 3.21585·√CRL + 0.348956·CRL. */
export function intergrowthGaDaysFromCrl(crlMm: number): number {
  return 40.9041 + 3.21585 * Math.sqrt(crlMm) + 0.348956 * crlMm;
}

/** Φ(z) = 1 − erfc(z/√2)/2, with Numerical Recipes' Chebyshev erfc (fractional error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Φ⁻¹(p) by Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`Probability ${p} must lie strictly between 0 and 1`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
