/** Dates as typed at the bedside: DD/MM/YYYY (or DD.MM.YYYY, DD-MM-YYYY) or ISO YYYY-MM-DD, to DICOM YYYYMMDD. */
import { dayOf } from '../../../src/protocol/rest/patient-checks.js';

/** YYYYMMDD of a typed date, or 'not-a-date' (30/02/1990, 1990-13-01, letters) — never a guessed other day. */
export function parseTypedDate(text: string): string | 'not-a-date' {
  const s = text.trim();
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const [y, m, d] = dmy ? [dmy[3]!, dmy[2]!, dmy[1]!] : iso ? [iso[1]!, iso[2]!, iso[3]!] : [];
  if (!y || !m || !d) return 'not-a-date';
  const out = `${y}${m.padStart(2, '0')}${d.padStart(2, '0')}`;
  return dayOf(out) ? out : 'not-a-date';
}

/** DD/MM/YYYY of a DICOM date (as the form shows it). */
export function showDate(yyyymmdd: string | null | undefined): string {
  return yyyymmdd && /^\d{8}$/.test(yyyymmdd) ? `${yyyymmdd.slice(6, 8)}/${yyyymmdd.slice(4, 6)}/${yyyymmdd.slice(0, 4)}` : '';
}
