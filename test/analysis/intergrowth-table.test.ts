import { describe, expect, it } from 'vitest';
import { intergrowthHcMedianMm, intergrowthHcSdMm } from '../../src/analysis/biometry.js';

/**
 * The published INTERGROWTH-21st fetal head circumference z-score table (mm, exact weeks 14–40; columns
 * −3 … +3 SD), "International Fetal Growth Standards — Head circumference, z-scores"
 * (INTERGROWTH-21st, file grow_fetal-zs_hc_table_mm_weeks; Papageorghiou et al., Lancet 2014;384:869–79),
 * as transcribed to CSV in the public repository Yannngn/intergrowth-fetal-growth-csv
 * (data/lms/grow_fetal-zs_hc_table_mm_weeks.csv). Printed to 0.1 mm.
 *
 * This is the check the equations alone cannot give: a mistyped coefficient in biometry.ts would still
 * agree with numbers computed from the same equations, but not with the table the project printed.
 */
const TABLE: Array<[number, number, number, number, number, number, number, number]> = [
  [14, 81.1, 86.7, 92.3, 97.9, 103.5, 109.0, 114.6],
  [15, 92.6, 98.5, 104.4, 110.4, 116.3, 122.2, 128.2],
  [16, 104.1, 110.4, 116.6, 122.9, 129.2, 135.5, 141.7],
  [17, 115.7, 122.3, 128.8, 135.4, 142.0, 148.6, 155.2],
  [18, 127.2, 134.1, 141.0, 147.9, 154.8, 161.7, 168.6],
  [19, 138.7, 145.9, 153.1, 160.3, 167.4, 174.6, 181.8],
  [20, 150.2, 157.6, 165.0, 172.5, 179.9, 187.4, 194.8],
  [21, 161.5, 169.1, 176.8, 184.5, 192.2, 199.9, 207.6],
  [22, 172.6, 180.5, 188.4, 196.3, 204.2, 212.1, 220.0],
  [23, 183.5, 191.6, 199.7, 207.8, 215.9, 224.1, 232.2],
  [24, 194.2, 202.5, 210.8, 219.1, 227.4, 235.7, 244.0],
  [25, 204.6, 213.0, 221.5, 230.0, 238.4, 246.9, 255.4],
  [26, 214.6, 223.2, 231.9, 240.5, 249.1, 257.8, 266.4],
  [27, 224.3, 233.1, 241.9, 250.6, 259.4, 268.2, 277.0],
  [28, 233.5, 242.5, 251.4, 260.4, 269.3, 278.2, 287.2],
  [29, 242.3, 251.4, 260.5, 269.6, 278.7, 287.8, 296.9],
  [30, 250.6, 259.9, 269.1, 278.4, 287.6, 296.9, 306.1],
  [31, 258.4, 267.8, 277.2, 286.6, 296.1, 305.5, 314.9],
  [32, 265.5, 275.1, 284.7, 294.4, 304.0, 313.6, 323.2],
  [33, 272.0, 281.8, 291.7, 301.5, 311.4, 321.2, 331.1],
  [34, 277.8, 287.9, 298.0, 308.1, 318.2, 328.3, 338.4],
  [35, 282.8, 293.3, 303.7, 314.1, 324.5, 334.9, 345.3],
  [36, 287.1, 297.9, 308.6, 319.4, 330.2, 340.9, 351.7],
  [37, 290.5, 301.7, 312.9, 324.1, 335.3, 346.4, 357.6],
  [38, 293.0, 304.7, 316.4, 328.1, 339.7, 351.4, 363.1],
  [39, 294.6, 306.9, 319.1, 331.4, 343.6, 355.9, 368.1],
  [40, 295.2, 308.1, 321.0, 333.9, 346.9, 359.8, 372.7],
];

describe('INTERGROWTH-21st HC against the published z-score table (every week 14–40, −3…+3 SD)', () => {
  for (const [ga, ...values] of TABLE) {
    it(`${ga} weeks`, () => {
      const median = intergrowthHcMedianMm(ga);
      const sd = intergrowthHcSdMm(ga);
      values.forEach((published, i) => {
        const z = i - 3;
        // Printed to 0.1 mm: half a unit, plus 0.01 mm for the table's own rounding of intermediate values
        // (4 of the 189 entries sit 0.053–0.056 mm away; all others within 0.05). A mistyped coefficient
        // digit moves whole columns by tenths to millimetres.
        expect(Math.abs(median + z * sd - published), `${ga} weeks, z ${z}`).toBeLessThanOrEqual(0.06);
      });
    });
  }
});
