/**
 * One patient ID, one woman. A new exam whose patient ID is already kept for someone with another birth date
 * or another family name would silently join her record (search, growth chart and reports take the newest
 * exam's details): it is refused with a coded 409 saying which of the two differs, so the clinician can check
 * the ID, or confirm it is the same patient (a married name, a corrected birth date) with `confirmSamePatient`.
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from './database.js';
import type { NewExam } from './types.js';

interface StoredIdentity {
  name: string | null;
  birthDate: string | null;
  exams: number;
}

/** Case, accents, spaces and punctuation aside: "Müller" and "MULLER" are one family name, a typo is not. */
function familyKey(name: string | null | undefined): string {
  const family = (name ?? '').split('^')[0] ?? '';
  return family
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

/** Throws SONO_PATIENT_MISMATCH when `input`'s patient ID is kept for another person (see above). */
export function checkSamePatient(db: Db, input: NewExam & { confirmSamePatient?: boolean | undefined }): void {
  const p = input.patient;
  if (!p?.id || input.confirmSamePatient === true) return;
  const stored = db
    .prepare(
      `SELECT patient_name name, patient_birth_date birthDate, (SELECT count(*) FROM exams WHERE patient_id = ? AND voided_at IS NULL) exams
       FROM exams WHERE patient_id = ? AND voided_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    )
    .get(p.id, p.id) as StoredIdentity | undefined;
  if (!stored) return;
  const differs: Array<'name' | 'birthDate'> = [];
  if (p.birthDate && stored.birthDate && p.birthDate !== stored.birthDate) differs.push('birthDate');
  const [typed, kept] = [familyKey(p.name), familyKey(stored.name)];
  if (typed && kept && typed !== kept) differs.push('name');
  if (differs.length === 0) return;
  // the message is logged and error details never carry patient data: the page reads what is stored from
  // GET /api/patients/:id (clinicians only) to show the two side by side
  const what = differs.map((d) => (d === 'name' ? 'family name' : 'birth date')).join(' and ');
  throw new SonoError(ErrorCodes.PATIENT_MISMATCH, `This patient ID is already kept for a patient with another ${what}; check the ID, or confirm it is the same patient (confirmSamePatient: true)`, {
    details: { field: 'patient.id', differs, keptExams: stored.exams },
  });
}
