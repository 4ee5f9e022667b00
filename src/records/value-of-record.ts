/**
 * The value of record of a measurement: the one place that says which value the record holds, read by every
 * reader of a measurement (the exam API and record screen, the printed report, the growth visits, the SR
 * revisions, the QA export) through ExamStore.getExam and hcVisits.
 *
 * A measurement's first decision (measurements.final_*) is the value until a signed report is second-read.
 * Then the value of record is the latest adjudication's (adjudications, append-only), whichever second reading
 * it answered; with none, the first decision as signed. A second reading alone never changes it:
 *   - a disagreement nobody adjudicated yet is flagged (`flagged`) and the record keeps the last settled value
 *     (the signed first value, or the last adjudicated one when an earlier disagreement was adjudicated): that
 *     is also the value of the last report revision the device sent, as an adjudication amends the report and
 *     a second reading does not, so the device never shows a value the PACS was not sent;
 *   - an agreement keeps it, unflagged.
 * "Answers" is told by ids, never by the clock (migration 28's second_read_id), as second-read.ts does.
 *
 * An adjudicated value that differs from the first decision is the adjudicator's correction: state corrected,
 * decided by the adjudicator at the adjudication's time, and no geometry (the first reader's calipers or
 * ellipse do not measure it; a value typed in has no shape, as a correction by number has none). The first
 * decision stays as it was in `secondRead.first`, the history (measurement_decisions) and second-read.ts
 * readings().
 */
import type { Measurement, ReadingRecord, SecondReadState } from './types.js';

/**
 * Measurements (alias m) with their latest second reading and latest adjudication, for `WHERE`/`ORDER BY` to
 * follow; the extra columns are read by `withValueOfRecord` (through exam-rows.ts measurementOf).
 */
export const MEASUREMENT_ROWS = `SELECT m.*,
  s.id AS sr_id, s.agree AS sr_agree, s.value AS sr_value, s.text AS sr_text, s.reader AS sr_by, s.at AS sr_at,
  a.value AS adj_value, a.text AS adj_text, a.by_user AS adj_by, a.at AS adj_at, a.second_read_id AS adj_answers
  FROM measurements m
  LEFT JOIN second_reads s ON s.id = (SELECT max(id) FROM second_reads WHERE measurement_id = m.id)
  LEFT JOIN adjudications a ON a.id = (SELECT max(id) FROM adjudications WHERE measurement_id = m.id)`;

/** The latest second reading disagrees and the latest adjudication does not answer it. */
export function disagreementOpen(second: { agree: boolean; id: unknown } | null, adjudicationAnswers: unknown): boolean {
  return second !== null && !second.agree && adjudicationAnswers !== second.id;
}

/** `m` (its first decision) with its value of record and second-read state, from MEASUREMENT_ROWS's columns. */
export function withValueOfRecord(m: Measurement, row: Record<string, unknown>): Measurement {
  if (row.sr_id === null || row.sr_id === undefined || m.state === 'unverified') return m;
  const second = { agree: row.sr_agree === 1, value: row.sr_value as number | null, text: row.sr_text as string | null, by: row.sr_by as string, at: row.sr_at as string };
  const adjudicated: ReadingRecord | null =
    row.adj_by !== null && row.adj_by !== undefined ? { value: row.adj_value as number | null, text: row.adj_text as string | null, by: row.adj_by as string, at: row.adj_at as string } : null;
  const secondRead: SecondReadState = {
    first: { state: m.state, value: m.finalValue, text: m.finalText, geometry: m.finalGeometry, by: m.decidedBy, at: m.decidedAt },
    second,
    adjudicated,
    flagged: disagreementOpen({ agree: second.agree, id: row.sr_id }, row.adj_answers),
  };
  if (!adjudicated) return { ...m, secondRead };
  // as a correction is stored (measurement-decision.ts): what the adjudication does not give stays
  const value = adjudicated.value ?? m.finalValue;
  const text = adjudicated.text ?? m.finalText;
  if (value === m.finalValue && text === m.finalText) return { ...m, secondRead };
  return { ...m, state: 'corrected', finalValue: value, finalText: text, finalGeometry: null, decidedBy: adjudicated.by, decidedAt: adjudicated.at, secondRead };
}

/** The first decision of a measurement as it was signed (what the QA export's `final` and a second reader read). */
export function firstDecision(m: Measurement): Measurement {
  const f = m.secondRead?.first;
  return f ? { ...m, state: f.state, finalValue: f.value, finalText: f.text, finalGeometry: f.geometry, decidedBy: f.by, decidedAt: f.at } : m;
}
