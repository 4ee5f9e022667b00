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
 *
 * A GA follows its capture's HC of record (ga-of-record.ts): the HC corrected or adjudicated, the GA of record
 * is Hadlock's GA of that HC; the GA's own decisions stay stored as they were.
 */
import { type RecordMeasurement, followHc } from './ga-of-record.js';
import type { Measurement, ReadingRecord, SecondReadState } from './types.js';

/**
 * Measurements (alias m) with their latest second reading and latest adjudication, for `WHERE`/`ORDER BY` to
 * follow; the extra columns are read by `withValueOfRecord` (through exam-rows.ts measurementOf).
 */
export const MEASUREMENT_ROWS = `SELECT m.*,
  s.id AS sr_id, s.agree AS sr_agree, s.value AS sr_value, s.text AS sr_text, s.reader AS sr_by, s.at AS sr_at,
  a.value AS adj_value, a.text AS adj_text, a.by_user AS adj_by, a.at AS adj_at, a.second_read_id AS adj_answers,
  h.id AS hc_id, h.unit AS hc_unit, h.state AS hc_state, h.ai_value AS hc_ai_value, h.final_value AS hc_final_value, h.final_text AS hc_final_text,
  h.decided_by AS hc_decided_by, h.decided_at AS hc_decided_at,
  hs.id AS hc_sr_id, hs.agree AS hc_sr_agree, hs.value AS hc_sr_value, hs.text AS hc_sr_text, hs.reader AS hc_sr_by, hs.at AS hc_sr_at,
  ha.value AS hc_adj_value, ha.text AS hc_adj_text, ha.by_user AS hc_adj_by, ha.at AS hc_adj_at, ha.second_read_id AS hc_adj_answers
  FROM measurements m
  LEFT JOIN second_reads s ON s.id = (SELECT max(id) FROM second_reads WHERE measurement_id = m.id)
  LEFT JOIN adjudications a ON a.id = (SELECT max(id) FROM adjudications WHERE measurement_id = m.id)
  LEFT JOIN measurements h ON m.kind = 'ga' AND h.id = (SELECT id FROM measurements WHERE capture_id = m.capture_id AND kind = 'hc' ORDER BY rowid LIMIT 1)
  LEFT JOIN second_reads hs ON h.id IS NOT NULL AND hs.id = (SELECT max(id) FROM second_reads WHERE measurement_id = h.id)
  LEFT JOIN adjudications ha ON h.id IS NOT NULL AND ha.id = (SELECT max(id) FROM adjudications WHERE measurement_id = h.id)`;

/** The latest second reading disagrees and the latest adjudication does not answer it. */
export function disagreementOpen(second: { agree: boolean; id: unknown } | null, adjudicationAnswers: unknown): boolean {
  return second !== null && !second.agree && adjudicationAnswers !== second.id;
}

/**
 * `m` (its first decision) with its value of record and second-read state, from MEASUREMENT_ROWS's columns; a GA
 * also follows its capture's HC of record (ga-of-record.ts), read from the same row's `hc_` columns.
 */
export function withValueOfRecord(m: Measurement, row: Record<string, unknown>): RecordMeasurement {
  const own = ownValueOfRecord(m, row, '');
  if (m.kind !== 'ga' || row.hc_id === null || row.hc_id === undefined) return own;
  const hc: Measurement = {
    ...m,
    id: row.hc_id as string,
    kind: 'hc',
    unit: row.hc_unit as Measurement['unit'],
    aiValue: row.hc_ai_value as number | null,
    finalValue: row.hc_final_value as number | null,
    aiText: null,
    finalText: (row.hc_final_text as string | null) ?? null,
    aiGeometry: null,
    finalGeometry: null,
    state: row.hc_state as Measurement['state'],
    decidedBy: row.hc_decided_by as string | null,
    decidedAt: row.hc_decided_at as string | null,
  };
  return followHc(own, ownValueOfRecord(hc, row, 'hc_'));
}

/** `m`'s own value of record, from the second-read columns named with prefix `p` (`hc_`: the capture's HC's). */
function ownValueOfRecord(m: Measurement, row: Record<string, unknown>, p: '' | 'hc_'): Measurement {
  const col = (name: string): unknown => row[p + name];
  if (col('sr_id') === null || col('sr_id') === undefined || m.state === 'unverified') return m;
  const second = { agree: col('sr_agree') === 1, value: col('sr_value') as number | null, text: col('sr_text') as string | null, by: col('sr_by') as string, at: col('sr_at') as string };
  const adjudicated: ReadingRecord | null =
    col('adj_by') !== null && col('adj_by') !== undefined
      ? { value: col('adj_value') as number | null, text: col('adj_text') as string | null, by: col('adj_by') as string, at: col('adj_at') as string }
      : null;
  const secondRead: SecondReadState = {
    first: { state: m.state, value: m.finalValue, text: m.finalText, geometry: m.finalGeometry, by: m.decidedBy, at: m.decidedAt },
    second,
    adjudicated,
    flagged: disagreementOpen({ agree: second.agree, id: col('sr_id') }, col('adj_answers')),
  };
  if (!adjudicated) return { ...m, secondRead };
  // as a correction is stored (measurement-decision.ts): what the adjudication does not give stays
  const value = adjudicated.value ?? m.finalValue;
  const text = adjudicated.text ?? m.finalText;
  if (value === m.finalValue && text === m.finalText) return { ...m, secondRead };
  return { ...m, state: 'corrected', finalValue: value, finalText: text, finalGeometry: null, decidedBy: adjudicated.by, decidedAt: adjudicated.at, secondRead };
}

/**
 * The first decision of a measurement as it was signed (what the QA export's `final` and a second reader read):
 * for a GA that follows its HC, the GA as its own decision stored it.
 */
export function firstDecision(m: RecordMeasurement): Measurement {
  const f = m.secondRead?.first;
  if (f) return { ...m, state: f.state, finalValue: f.value, finalText: f.text, finalGeometry: f.geometry, decidedBy: f.by, decidedAt: f.at };
  const g = m.gaFromHc;
  return g ? { ...m, state: g.stored.state, finalValue: g.stored.value, finalText: null, finalGeometry: null, decidedBy: g.stored.by, decidedAt: g.stored.at } : m;
}
