/**
 * Numbers, gestational ages and dates as the chosen language writes them (issue 18: French complete): a
 * decimal comma in French, "26 SA 3 j" for a gestational age (semaines d'aménorrhée), dates day first.
 */
import { currentLang } from '../i18n';

const LOCALE = { en: 'en-GB', fr: 'fr-FR' } as const;
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(v: number, digits: number): string {
  const key = `${currentLang()}:${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[currentLang()], { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
    numberFormats.set(key, f);
  }
  // U+2212: a real minus sign, so "z −7,36" reads the same in both languages
  return f.format(v).replace('-', '−');
}

/** A measure with its unit: "23.4 mm" / "23,4 mm". */
export const withUnit = (v: number, digits: number, unit: string): string => `${formatNumber(v, digits)} ${unit}`;

/** A gestational age in weeks as completed weeks and days: "26w 3d" / "26 SA 3 j" (days never reach 7). */
export function formatGa(weeks: number): string {
  const days = Math.round(weeks * 7);
  const w = Math.floor(days / 7);
  const d = days - w * 7;
  return currentLang() === 'fr' ? `${w} SA ${d} j` : `${w}w ${d}d`;
}

/** A date (ISO text or Date) day first in French, as the locale writes it. */
export function formatDate(when: string | Date): string {
  const d = typeof when === 'string' ? new Date(when) : when;
  return Number.isNaN(d.getTime()) ? String(when) : d.toLocaleDateString(LOCALE[currentLang()], { year: 'numeric', month: 'short', day: 'numeric' });
}

/**
 * A probability as a whole percentage: "42%" / "42 %". One strictly between 0 and 1 never reads 0% or 100%:
 * under 0.5% it is "<1%", over 99.5% ">99%" (the printed report's 0.4 % is then not contradicted by a "0%").
 */
export function formatPercent(p: number): string {
  const whole = Math.round(p * 100);
  const text = p > 0 && whole === 0 ? '<1' : p < 1 && whole === 100 ? '>99' : String(whole);
  return currentLang() === 'fr' ? `${text} %` : `${text}%`;
}
