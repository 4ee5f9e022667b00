/**
 * The identifiers the device holds for an exam, in the forms they could be drawn in a picture: what the OCR
 * gate looks for in the words it reads, at any confidence. Read from the encrypted records database for one
 * check and kept in memory only (never logged, never stored with the verdict).
 */
export type IdentifierKind = 'name' | 'patient-id' | 'accession' | 'birth-date';

export interface Identifier {
  kind: IdentifierKind;
  /** upper-case letters and digits only (accents dropped), as `normalize` makes of an OCR word */
  value: string;
}

/** What an exam row holds (DICOM PN name, YYYYMMDD birth date). */
export interface ExamIdentity {
  patientName?: string | null | undefined;
  patientId?: string | null | undefined;
  birthDate?: string | null | undefined;
  accessionNumber?: string | null | undefined;
}

/** Upper case, accents dropped, letters and digits only: "Hélène-Marie, 12/04" → "HELENEMARIE1204". */
export function normalize(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Edits allowed when matching an identifier of this length: none up to 3 characters, 1 for 4–6, 2 beyond. */
export function maxEdits(length: number): number {
  return length <= 3 ? 0 : length <= 6 ? 1 : 2;
}

/** Shorter than this an identifier is not looked for: one or two characters are read in any speckle. */
const MIN_LENGTH = 3;

/**
 * The forms to look for: each part of the name (family, given, middle; 3 characters or more), the patient
 * ID, the accession number, and the birth date as YYYYMMDD / YYYY-MM-DD, DD/MM/YYYY / DD.MM.YYYY and
 * MM/DD/YYYY (separators are dropped on both sides, so each pair is one form).
 */
export function identifiersOf(e: ExamIdentity): Identifier[] {
  const out: Identifier[] = [];
  const add = (kind: IdentifierKind, raw: string | null | undefined): void => {
    const value = normalize(raw ?? '');
    if (value.length >= MIN_LENGTH && !out.some((i) => i.value === value)) out.push({ kind, value });
  };
  for (const part of (e.patientName ?? '').split(/[\s^,=/-]+/)) add('name', part);
  add('patient-id', e.patientId);
  add('accession', e.accessionNumber);
  const d = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec((e.birthDate ?? '').trim());
  if (d) {
    const [, y, m, day] = d as unknown as [string, string, string, string];
    add('birth-date', `${y}${m}${day}`);
    add('birth-date', `${day}${m}${y}`);
    add('birth-date', `${m}${day}${y}`);
  }
  return out;
}

/** Words for a technician: which kinds of identifier were read, never their values. */
export const KIND_WORDS: Record<IdentifierKind, string> = { name: 'patient name', 'patient-id': 'patient ID', accession: 'accession number', 'birth-date': 'birth date' };
