import { describe, expect, it } from 'vitest';
import {
  hadlockGaWeeksFromHc, intergrowthGaDaysFromCrl, intergrowthHcAtCentile, intergrowthHcCentile, intergrowthHcMedianMm, intergrowthHcSdMm,
  normalCdf, normalQuantile,
} from '../../src/analysis/biometry.js';

describe('Hadlock 1984 GA from HC (Radiology 152:497–501)', () => {
  it('HC 175 mm → 20.0 weeks (8.96 + 0.540·17.5 + 0.0003·17.5³ = 20.018)', () => {
    expect(hadlockGaWeeksFromHc(175)).toBeCloseTo(20.018, 3);
  });
  it('uses HC in cm and the published cubic, not the "−0.0040x² + 0.000399x³" variant', () => {
    // HC 300 mm: 8.96 + 16.2 + 0.0003·27000 = 33.26 weeks; the variant would give 8.96+16.2-3.6+10.77 = 32.33
    expect(hadlockGaWeeksFromHc(300)).toBeCloseTo(33.26, 2);
  });
});

describe('INTERGROWTH-21st HC standard (Papageorghiou et al., Lancet 2014;384:869–79)', () => {
  it('median and SD at 20 and 40 weeks (values computed from the published equations)', () => {
    expect(intergrowthHcMedianMm(20)).toBeCloseTo(172.5, 1);
    expect(intergrowthHcSdMm(20)).toBeCloseTo(7.44, 2);
    expect(intergrowthHcMedianMm(40)).toBeCloseTo(333.9, 1);
    expect(intergrowthHcSdMm(40)).toBeCloseTo(12.92, 2);
  });
  it('z = 0 and centile 50 at the median; −1.881 SD is the 3rd centile', () => {
    const c = intergrowthHcCentile(intergrowthHcMedianMm(28), 28);
    expect(c.available && c.z).toBeCloseTo(0, 9);
    expect(c.available && c.centile).toBeCloseTo(50, 4);
    const p3 = intergrowthHcAtCentile(28, 3);
    const c3 = intergrowthHcCentile(p3, 28);
    expect(c3.available && c3.centile).toBeCloseTo(3, 4);
    expect(c3.available && c3.z).toBeCloseTo(-1.8808, 3);
  });
  it('gives no centile outside 14–40 weeks, with the reason', () => {
    const early = intergrowthHcCentile(80, 12);
    expect(early.available).toBe(false);
    expect(!early.available && early.reason).toMatch(/14–40 weeks.*12\.0/);
    expect(intergrowthHcCentile(350, 41).available).toBe(false);
  });
  it('GA from CRL: 40.9041 + 3.21585·√CRL + 0.348956·CRL days (CRL 45 mm → 78.2 days)', () => {
    expect(intergrowthGaDaysFromCrl(45)).toBeCloseTo(40.9041 + 3.21585 * Math.sqrt(45) + 0.348956 * 45, 9);
    expect(intergrowthGaDaysFromCrl(45) / 7).toBeCloseTo(11.17, 2);
  });
});

describe('normal distribution helpers', () => {
  it('Φ matches known values (Abramowitz & Stegun table 26.1)', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.1586553, 6);
  });
  it('Φ⁻¹ inverts Φ', () => {
    for (const p of [0.001, 0.03, 0.1, 0.5, 0.9, 0.97, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });
});
