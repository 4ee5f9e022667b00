/**
 * Patients as the exams hold them (there is no patient table: a patient is the exams with one patient ID):
 * the picker's search over earlier patients and one patient's HC visits for the growth chart. Voided exams
 * are left out of both. Plain SQL on the encrypted records database (SQLCipher decrypts page by page).
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from './database.js';

export interface PatientSummary {
  id: string;
  name: string | null;
  birthDate: string | null;
  sex: string | null;
  examCount: number;
  lastExamAt: string;
}

export interface HcVisit {
  examId: string;
  date: string;
  gaWeeks: number | null;
  /** the clinician's HC (confirmed or corrected); null when none was decided */
  hcMm: number | null;
  aiHcMm: number | null;
  state: 'confirmed' | 'corrected' | 'unverified' | 'none';
  captureId: string | null;
  measurementId: string | null;
  decidedBy: string | null;
}

/**
 * The calendar day (YYYY-MM-DD) of an instant where the device is: the clinic's day, not UTC's. A scan at
 * 00:30 in a UTC+3 clinic is stored as 21:30 UTC the day before; its visit is the clinic's day. The daemon
 * knows its time zone as every other date it prints does (the report's, src/report/i18n.ts): the process's
 * own (TZ, else the system's), or `timeZone` (IANA) when given.
 */
export function localDate(iso: string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', ...(timeZone ? { timeZone } : {}) }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
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

  /**
   * Every visit of the patient, oldest first, with the HC each point comes from: the newest decided HC of
   * the exam (the capture the clinician confirmed or corrected, whatever was captured after it); an exam
   * whose HCs are all unverified shows the AI's newest, said so, and is not plotted. A visit's date is the
   * clinic's calendar day of the exam (localDate), not the UTC one.
   */
  hcVisits(patientId: string): HcVisit[] {
    const exams = this.db.prepare('SELECT id, created_at, dating_ga_weeks FROM exams WHERE patient_id = ? AND voided_at IS NULL ORDER BY created_at').all(patientId) as Array<{
      id: string;
      created_at: string;
      dating_ga_weeks: number | null;
    }>;
    const hcOf = this.db.prepare(
      `SELECT m.id, m.capture_id, m.state, m.ai_value, m.final_value, m.decided_by FROM measurements m JOIN captures c ON c.id = m.capture_id
       WHERE c.exam_id = ? AND m.kind = 'hc' ORDER BY (m.state != 'unverified') DESC, COALESCE(m.decided_at, '') DESC, c.created_at DESC LIMIT 1`,
    );
    return exams.map((e) => {
      const m = hcOf.get(e.id) as { id: string; capture_id: string; state: HcVisit['state']; ai_value: number | null; final_value: number | null; decided_by: string | null } | undefined;
      const decided = m !== undefined && m.state !== 'unverified';
      return {
        examId: e.id,
        date: localDate(e.created_at, this.timeZone),
        gaWeeks: e.dating_ga_weeks,
        hcMm: decided ? m.final_value : null,
        aiHcMm: m?.ai_value ?? null,
        state: m?.state ?? 'none',
        captureId: m?.capture_id ?? null,
        measurementId: m?.id ?? null,
        decidedBy: m?.decided_by ?? null,
      };
    });
  }
}
