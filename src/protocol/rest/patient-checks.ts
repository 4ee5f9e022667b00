/**
 * Checks of what a person types about a patient and the pregnancy's dating, shared by the page (checked as
 * typed) and the daemon (checked again on POST /api/exams). Pure: no Node, no DOM. Each check answers a
 * problem code, never a sentence: the page says it in the user's language, the daemon in English.
 */

/** Why a typed value is refused. */
export type InputProblem =
  | 'not-a-number' // "22.5.1", "abc", "1,234.5"
  | 'out-of-range' // GA outside 4…44 weeks
  | 'not-a-date' // 30 February, month 13, not YYYYMMDD
  | 'date-in-future' // a birth date or an LMP after today
  | 'date-too-old' // a birth date before 1900
  | 'dating-out-of-range' // an LMP or EDD that gives a GA outside 4…44 weeks
  | 'not-a-name'; // a name part holding ^, \\, = or a line break, or longer than 64 characters

export const GA_RANGE = { min: 4, max: 44 } as const;

/**
 * A decimal as typed in either locale: "22.5" and "22,5" are both 22.5 (one separator, digits after it);
 * anything else ("22,5,1", "1,234.5", "22 5") is refused rather than read as another number.
 */
export function parseDecimal(text: string): number | 'not-a-number' {
  const s = text.trim();
  if (!/^\d{1,4}([.,]\d{1,3})?$/.test(s)) return 'not-a-number';
  return Number(s.replace(',', '.'));
}

/** Gestational age typed as weeks ("22", "22,5", "22.5") or weeks+days ("22+3", days 0…6), in weeks. */
export function parseGaWeeks(text: string): number | InputProblem {
  const s = text.trim();
  const wd = /^(\d{1,2})\s*\+\s*([0-6])$/.exec(s);
  const weeks = wd ? Number(wd[1]) + Number(wd[2]) / 7 : parseDecimal(s);
  if (typeof weeks === 'string') return weeks;
  return weeks < GA_RANGE.min || weeks > GA_RANGE.max ? 'out-of-range' : weeks;
}

/** The calendar day of a DICOM date (YYYYMMDD) as UTC midnight, or undefined when no such day exists. */
export function dayOf(yyyymmdd: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(yyyymmdd);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  // Date.UTC rolls 30 February over to 1 or 2 March: a date that does not come back as typed does not exist
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? date : undefined;
}

/** Today as YYYYMMDD in the device's (or browser's) own time zone. */
export function todayDicom(now: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
}

/** A birth date: a real day, not after today, not before 1900. */
export function checkBirthDate(yyyymmdd: string, today: string = todayDicom()): InputProblem | undefined {
  if (!dayOf(yyyymmdd)) return 'not-a-date';
  if (yyyymmdd > today) return 'date-in-future';
  return yyyymmdd < '19000101' ? 'date-too-old' : undefined;
}

const DAY_MS = 86_400_000;

/** GA in weeks on `today` from the first day of the last menstrual period (Naegele: EDD = LMP + 280 days). */
export function gaFromLmp(lmp: string, today: string = todayDicom()): number | InputProblem {
  const l = dayOf(lmp);
  const t = dayOf(today);
  if (!l || !t) return 'not-a-date';
  if (lmp > today) return 'date-in-future';
  const weeks = (t.getTime() - l.getTime()) / DAY_MS / 7;
  return weeks < GA_RANGE.min || weeks > GA_RANGE.max ? 'dating-out-of-range' : weeks;
}

/** GA in weeks on `today` from the estimated date of delivery (40 weeks at the EDD). */
export function gaFromEdd(edd: string, today: string = todayDicom()): number | InputProblem {
  const e = dayOf(edd);
  const t = dayOf(today);
  if (!e || !t) return 'not-a-date';
  const weeks = 40 - (e.getTime() - t.getTime()) / DAY_MS / 7;
  return weeks < GA_RANGE.min || weeks > GA_RANGE.max ? 'dating-out-of-range' : weeks;
}

/** How the pregnancy was dated: from the LMP, the EDD, or a GA typed directly (e.g. an earlier scan). */
export type DatingMethod = 'lmp' | 'edd' | 'ga';

/** A DICOM person name from its parts: FAMILY^GIVEN (given names kept together, separated by spaces). */
export function personName(family: string, given: string): string {
  const f = family.trim().replace(/\s+/g, ' ');
  const g = given.trim().replace(/\s+/g, ' ');
  return g ? `${f}^${g}` : f;
}

/** The parts of a DICOM person name (FAMILY^GIVEN^MIDDLE…): family and the given names. */
export function nameParts(pn: string | undefined): { family: string; given: string } {
  const [family = '', ...rest] = (pn ?? '').split('^');
  return { family, given: rest.filter(Boolean).join(' ') };
}

/** Characters a DICOM PN component may not hold (the separators and control characters). */
export function nameProblem(part: string): InputProblem | undefined {
  return /[\\^=\r\n]/.test(part) || part.length > 64 ? 'not-a-name' : undefined;
}
