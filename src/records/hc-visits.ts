/**
 * A patient's HC visits, the input of the growth chart (GET /api/patients/:id/growth), the exam's growth
 * (GET /api/exams/:id/growth) and the printed report's centile and flags: one rule for all three. Per exam,
 * the HC is the newest decided one (the capture the clinician confirmed or corrected last, whatever was
 * captured after it), else the AI's newest, said so; its value is the value of record (value-of-record.ts: an
 * adjudicated value after a second reading, never the one it overruled). A visit's date is the clinic's
 * calendar day of the exam (localDate), not the UTC one.
 */
import type { Db } from './database.js';
import { measurementOf } from './exam-rows.js';
import { MEASUREMENT_ROWS } from './value-of-record.js';

export interface HcVisit {
  examId: string;
  date: string;
  gaWeeks: number | null;
  /** the clinician's HC (confirmed, corrected or adjudicated); null when none was decided */
  hcMm: number | null;
  aiHcMm: number | null;
  state: 'confirmed' | 'corrected' | 'unverified' | 'none';
  captureId: string | null;
  measurementId: string | null;
  decidedBy: string | null;
}

/** An exam row as the visits need it. */
export interface VisitExam {
  id: string;
  created_at: string;
  dating_ga_weeks: number | null;
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

/** One visit per exam of `exams`, in their order. */
export function hcVisitsOf(db: Db, exams: readonly VisitExam[], timeZone?: string): HcVisit[] {
  const hcOf = db.prepare(
    `${MEASUREMENT_ROWS} JOIN captures c ON c.id = m.capture_id
     WHERE c.exam_id = ? AND m.kind = 'hc' ORDER BY (m.state != 'unverified') DESC, COALESCE(m.decided_at, '') DESC, c.created_at DESC LIMIT 1`,
  );
  return exams.map((e) => {
    const row = hcOf.get(e.id) as Record<string, unknown> | undefined;
    const m = row && measurementOf(row);
    const decided = m !== undefined && m.state !== 'unverified';
    return {
      examId: e.id,
      date: localDate(e.created_at, timeZone),
      gaWeeks: e.dating_ga_weeks,
      hcMm: decided ? m.finalValue : null,
      aiHcMm: m?.aiValue ?? null,
      state: m?.state ?? 'none',
      captureId: m?.captureId ?? null,
      measurementId: m?.id ?? null,
      decidedBy: m?.decidedBy ?? null,
    };
  });
}
