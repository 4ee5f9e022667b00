/**
 * Patients as the exams hold them (there is no patient table: a patient is the exams with one patient ID):
 * the picker's search over earlier patients and one patient's HC visits for the growth chart. Voided exams
 * are left out of both. Plain SQL on the encrypted records database (SQLCipher decrypts page by page).
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from './database.js';
import { type HcVisit, type VisitExam, hcVisitsOf } from './hc-visits.js';

export { type HcVisit, localDate } from './hc-visits.js';

export interface PatientSummary {
  id: string;
  name: string | null;
  birthDate: string | null;
  sex: string | null;
  examCount: number;
  lastExamAt: string;
}

/** LIKE pattern of a typed search: its wildcards taken literally, spaces matching the ^ between name parts. */
function likeOf(q: string): string {
  const escaped = q.trim().replace(/[\\%_]/g, (c) => `\\${c}`);
  return `%${escaped.replace(/[\s^]+/g, '%')}%`;
}

/**
 * One row per patient whose exams `filter` selects: name, birth date and sex of the patient's newest exam (a
 * corrected spelling wins), newest by creation time and then by insertion order (two exams made in one
 * millisecond must not pick their row by chance), with the number of kept exams.
 */
const summaryOf = (filter: string) => `WITH kept AS (SELECT rowid AS rid, * FROM exams WHERE patient_id IS NOT NULL AND voided_at IS NULL),
  ranked AS (SELECT patient_id, patient_name, patient_birth_date, patient_sex, created_at,
    row_number() OVER (PARTITION BY patient_id ORDER BY created_at DESC, rid DESC) AS n, count(*) OVER (PARTITION BY patient_id) AS examCount FROM kept)
  SELECT patient_id AS id, patient_name AS name, patient_birth_date AS birthDate, patient_sex AS sex, examCount, created_at AS lastExamAt
  FROM ranked WHERE n = 1 AND patient_id IN (SELECT patient_id FROM kept WHERE ${filter})`;
const SEARCH = summaryOf(`patient_id LIKE ? ESCAPE '\\' OR patient_name LIKE ? ESCAPE '\\'`);
const ONE = summaryOf('patient_id = ?');

export class PatientRecords {
  /** `timeZone`: the IANA zone whose calendar days the visits are dated in; default the device's (localDate). */
  constructor(
    private readonly db: Db,
    private readonly timeZone?: string,
  ) {}

  /** Earlier patients whose ID or name holds `q` (all when empty), the most recently seen first. */
  search(q: string | undefined, limit = 20): PatientSummary[] {
    const like = likeOf(q ?? '');
    return this.db.prepare(`${SEARCH} ORDER BY lastExamAt DESC LIMIT ?`).all(like, like, limit) as PatientSummary[];
  }

  summary(patientId: string): PatientSummary {
    const row = this.db.prepare(ONE).get(patientId) as PatientSummary | undefined;
    if (!row) throw new SonoError(ErrorCodes.EXAM_NOT_FOUND, `No exam of patient ${patientId} is kept; search patients with GET /api/patients?q=`, { details: { patientId } });
    return row;
  }

  /** Every visit of the patient, oldest first, with the HC each point comes from (hc-visits.ts); an exam whose HCs are all unverified is not plotted. */
  hcVisits(patientId: string): HcVisit[] {
    const exams = this.db.prepare('SELECT id, created_at, dating_ga_weeks FROM exams WHERE patient_id = ? AND voided_at IS NULL ORDER BY created_at').all(patientId) as VisitExam[];
    return hcVisitsOf(this.db, exams, this.timeZone);
  }
}
