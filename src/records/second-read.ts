/**
 * Second reading of a signed report: a second clinician (neither a signer nor the first reader) agrees or disagrees with each
 * measurement; a disagreement stays flagged until one of the two adjudicates it. The first (decided), second
 * and adjudicated values are all kept (append-only tables, migration 23) and exported (readings()). Which
 * value the record holds then (the exam, report, SR, growth) is value-of-record.ts's rule.
 */
import { ErrorCodes, SonoError } from '../errors.js';
import type { Db } from './database.js';
import { ExamStore } from './exam-store.js';
import type { SendRevision } from './late-decision.js';
import { SignatureStore } from './signatures.js';
import type { Measurement } from './types.js';
import { disagreementOpen } from './value-of-record.js';

export interface Reading {
  value: number | null;
  text: string | null;
  by: string;
  at: string;
  note?: string | null;
}

export interface MeasurementReadings {
  measurementId: string;
  kind: string;
  unit: string;
  first: Reading;
  second: (Reading & { agree: boolean }) | null;
  adjudicated: Reading | null;
  /** a disagreement nobody has adjudicated yet */
  flagged: boolean;
}

interface Row {
  id: string;
  kind: string;
  unit: string;
  final_value: number | null;
  final_text: string | null;
  decided_by: string | null;
  decided_at: string | null;
  exam_id: string;
  closed_at: string | null;
}

function show(r: Pick<Reading, 'value' | 'text'>, unit: string): string {
  return r.text ?? `${r.value?.toFixed(2) ?? '-'} ${unit}`;
}

/** The amended revision's comment for one adjudicated measurement (roles, never names: names in text would leave the device). */
export function readingNote(r: MeasurementReadings): string {
  return `Second reading of ${r.kind}: first reader ${show(r.first, r.unit)}, second reader ${show(r.second!, r.unit)}, adjudicated ${show(r.adjudicated!, r.unit)}.`;
}

/** The amended revision's comment for a measurement whose latest second reading nobody adjudicated yet: the report keeps its value of record. */
export function openNote(m: Measurement): string {
  return `Second reading of ${m.kind}: second reader ${show(m.secondRead!.second, m.unit)} disagrees with the value reported (${show({ value: m.finalValue, text: m.finalText }, m.unit)}), not yet adjudicated.`;
}

/** Where no report service runs: the amended revision is still recorded, with no SR built. */
const noReportService: SendRevision = () => undefined;

export class SecondReadStore {
  readonly #signatures: SignatureStore;
  readonly #exams: ExamStore;
  constructor(private readonly db: Db) {
    this.#signatures = new SignatureStore(db);
    this.#exams = new ExamStore(db);
  }

  #measurement(id: string): Row {
    const r = this.db
      .prepare(
        `SELECT m.id, m.kind, m.unit, m.final_value, m.final_text, m.decided_by, m.decided_at, e.id exam_id, e.closed_at FROM measurements m
      JOIN captures c ON c.id = m.capture_id JOIN exams e ON e.id = c.exam_id WHERE m.id = ?`,
      )
      .get(id) as Row | undefined;
    if (!r) throw new SonoError(ErrorCodes.MEASUREMENT_NOT_FOUND, `Measurement ${id} does not exist`);
    return r;
  }

  /** Records the second reader's opinion on one measurement of a signed exam. */
  secondRead(measurementId: string, r: { reader: string; agree: boolean; value?: number | undefined; text?: string | undefined; note?: string | undefined }): MeasurementReadings {
    const m = this.#measurement(measurementId);
    const signed = this.#signatures.latestSignature(m.exam_id);
    if (!signed)
      throw new SonoError(ErrorCodes.SECOND_READ_REFUSED, `Exam ${m.exam_id} has no signed report yet; a second reading follows the signature (POST /api/exams/${m.exam_id}/sign)`, {
        details: { examId: m.exam_id },
      });
    // a second reading is independent: not by anyone who signed any revision of this report (a later signature by
    // someone else must not make the first signer eligible), nor by whoever made the first reading of this value
    const signers = new Set(
      this.#signatures
        .revisions(m.exam_id)
        .filter((x) => x.kind === 'signature')
        .map((x) => x.by),
    );
    if (signers.has(r.reader)) throw new SonoError(ErrorCodes.SECOND_READ_REFUSED, `${r.reader} signed this report; the second reader must be another clinician`, { details: { examId: m.exam_id } });
    if (m.decided_by === r.reader)
      throw new SonoError(ErrorCodes.SECOND_READ_REFUSED, `${r.reader} made the first reading of ${m.kind}; the second reader must be another clinician`, {
        details: { examId: m.exam_id, measurementId },
      });
    if (r.agree && (r.value !== undefined || r.text !== undefined))
      throw new SonoError(ErrorCodes.SECOND_READ_INVALID, 'An agreement takes no "value" or "text"; send agree: false with the value you read instead');
    if (!r.agree && r.value === undefined && r.text === undefined)
      throw new SonoError(ErrorCodes.SECOND_READ_INVALID, `A disagreement with ${m.kind} needs the value you read ("value", or "text" for a category)`);
    if (r.value !== undefined && !(Number.isFinite(r.value) && r.value > 0))
      throw new SonoError(ErrorCodes.SECOND_READ_INVALID, `The value ${r.value} is not a positive finite number; send the measured value`);
    this.db
      .prepare('INSERT INTO second_reads (measurement_id, exam_id, reader, agree, value, text, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(measurementId, m.exam_id, r.reader, r.agree ? 1 : 0, r.value ?? null, r.text ?? null, r.note ?? null, new Date().toISOString());
    return this.#readingsOf(m);
  }

  /**
   * Resolves a flagged disagreement; only the signer or the second reader may. In the same immediate
   * transaction (as a decision after closing, late-decision.ts) the amended report revision is recorded and
   * `send` builds and queues it: its measurements carry each value of record (this adjudication's included),
   * its comments every adjudicated measurement of the exam and every disagreement still open: if queuing
   * fails (a full disk), neither the adjudication nor the revision is kept, so the disagreement stays open and
   * the request can be sent again.
   */
  adjudicate(measurementId: string, a: { by: string; value?: number | undefined; text?: string | undefined; note?: string | undefined }, send: SendRevision = noReportService): MeasurementReadings {
    return this.db
      .transaction(() => {
        const m = this.#measurement(measurementId);
        const current = this.#readingsOf(m);
        if (!current.flagged) throw new SonoError(ErrorCodes.ADJUDICATION_REFUSED, `Measurement ${measurementId} has no open disagreement to adjudicate`, { details: { measurementId } });
        const signer = this.#signatures.latestSignature(m.exam_id)?.by;
        if (a.by !== signer && a.by !== current.second!.by)
          throw new SonoError(ErrorCodes.ADJUDICATION_REFUSED, `Only the signer (${signer ?? 'none'}) or the second reader (${current.second!.by}) adjudicates measurement ${measurementId}`, {
            details: { measurementId },
          });
        if (a.value === undefined && a.text === undefined)
          throw new SonoError(ErrorCodes.SECOND_READ_INVALID, `An adjudication of ${m.kind} needs the value agreed ("value", or "text" for a category)`);
        if (a.value !== undefined && !(Number.isFinite(a.value) && a.value > 0))
          throw new SonoError(ErrorCodes.SECOND_READ_INVALID, `The value ${a.value} is not a positive finite number; send the measured value`);
        const at = new Date();
        this.db
          .prepare(
            'INSERT INTO adjudications (measurement_id, exam_id, by_user, value, text, note, at, second_read_id) VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT max(id) FROM second_reads WHERE measurement_id = ?))',
          )
          .run(measurementId, m.exam_id, a.by, a.value ?? null, a.text ?? null, a.note ?? null, at.toISOString(), measurementId);
        // the exam as the amended report carries it: each measurement's value of record, this adjudication's included
        const exam = this.#exams.getExam(m.exam_id);
        const notes = [
          ...this.readings(m.exam_id)
            .filter((x) => x.adjudicated)
            .map(readingNote),
          ...exam.captures.flatMap((c) => c.measurements.filter((x) => x.secondRead?.flagged)).map(openNote),
        ];
        this.#signatures.addRevision(m.exam_id, { kind: 'amendment', by: a.by, at }, (revision) => send(exam, revision, at, notes));
        return this.#readingsOf(m);
      })
      .immediate();
  }

  #readingsOf(m: Row): MeasurementReadings {
    const s = this.db.prepare('SELECT * FROM second_reads WHERE measurement_id = ? ORDER BY id DESC LIMIT 1').get(m.id) as Record<string, unknown> | undefined;
    const a = this.db.prepare('SELECT * FROM adjudications WHERE measurement_id = ? ORDER BY id DESC LIMIT 1').get(m.id) as Record<string, unknown> | undefined;
    const second = s ? { agree: s.agree === 1, value: s.value as number | null, text: s.text as string | null, by: s.reader as string, at: s.at as string, note: s.note as string | null } : null;
    // an adjudication answers the second reading that was the latest when it was made (by id, never by clock); a later disagreement flags again
    const adjudicated =
      a && s && a.second_read_id === s.id ? { value: a.value as number | null, text: a.text as string | null, by: a.by_user as string, at: a.at as string, note: a.note as string | null } : null;
    return {
      measurementId: m.id,
      kind: m.kind,
      unit: m.unit,
      first: { value: m.final_value, text: m.final_text, by: m.decided_by ?? '', at: m.decided_at ?? '' },
      second,
      adjudicated,
      flagged: disagreementOpen(s ? { agree: s.agree === 1, id: s.id } : null, a?.second_read_id),
    };
  }

  /** Every read measurement of an exam: first, second and adjudicated values. */
  readings(examId: string): MeasurementReadings[] {
    const ids = this.db.prepare('SELECT DISTINCT measurement_id FROM second_reads WHERE exam_id = ? ORDER BY id').all(examId) as Array<{ measurement_id: string }>;
    return ids.map((r) => this.#readingsOf(this.#measurement(r.measurement_id)));
  }
}
