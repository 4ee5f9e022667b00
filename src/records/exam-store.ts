import { randomUUID } from 'node:crypto';
import { ErrorCodes, SonoError } from '../errors.js';
import { checkFrame, checkSpacing } from './checks.js';
import type { Db } from './database.js';
import { measurementRows } from './measurement-rows.js';
import { type ExamRow, examOf, measurementOf } from './exam-rows.js';
import { MEASUREMENT_ROWS } from './value-of-record.js';
import { checkNewExam } from './new-exam-checks.js';
import { checkSamePatient } from './patient-identity.js';
import { type VisitExam, hcVisitsOf } from './hc-visits.js';
import type { CaptureInput } from './capture-input.js';
import { type DecisionInput, storeDecision, storedReplay, voided } from './measurement-decision.js';
import { type CheckedMeasure, checkManualMeasures, insertManualMeasures, manualMeasuresOf, missingManualMeasures } from './manual-measures.js';
import type { Capture, Exam, ExamType, Measurement, NewExam } from './types.js';

export type { CaptureInput } from './capture-input.js';

const CAPTURE_COLUMNS = 'id, exam_id, created_at, frame_seq, width, height, pixel_spacing_x, pixel_spacing_y, results_json, laterality';

/** One decision on a measurement, as the history keeps it. */
export interface DecisionRecord {
  decision: 'confirmed' | 'corrected';
  finalValue: number | null;
  finalText: string | null;
  by: string;
  at: string;
}

/**
 * Exams, captures and AI measurements with the clinician's decisions (every one kept in measurement_decisions).
 * Who did what is recorded by the routes in the hash-chained audit trail (src/audit), which knows the
 * signed-in user and the client; the old audit_log table is no longer written.
 */
export class ExamStore {
  constructor(private readonly db: Db) {}

  /** Checks the patient and dating (coded 400s), works out the GA from an LMP or EDD, stores the exam. */
  createExam(input: NewExam): Exam {
    const ga = checkNewExam(input);
    checkSamePatient(this.db, input);
    const id = randomUUID();
    const p = input.patient;
    this.db
      .prepare(
        `INSERT INTO exams (id, created_at, patient_name, patient_id, patient_birth_date, patient_sex, dating_ga_weeks, operator, exam_type, dating_method, dating_date, accession_number)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        new Date().toISOString(),
        p?.name ?? null,
        p?.id ?? null,
        p?.birthDate ?? null,
        p?.sex ?? null,
        ga ?? null,
        input.operator ?? null,
        input.examType ?? 'obstetric',
        input.datingMethod ?? (ga !== undefined ? 'ga' : null),
        input.datingDate ?? null,
        input.accessionNumber ?? null,
      );
    return this.getExam(id);
  }

  /** Every exam (or one patient's, by exact ID), newest first. */
  listExams(filter: { patientId?: string | undefined } = {}): Array<Omit<Exam, 'captures'> & { captureCount: number }> {
    const where = filter.patientId !== undefined ? 'WHERE e.patient_id = ?' : '';
    const rows = this.db
      .prepare(`SELECT e.*, (SELECT count(*) FROM captures c WHERE c.exam_id = e.id) AS n FROM exams e ${where} ORDER BY created_at DESC`)
      .all(...(filter.patientId !== undefined ? [filter.patientId] : [])) as Array<ExamRow & { n: number }>;
    return rows.map((r) => ({ ...examOf(r), captureCount: r.n }));
  }

  /** The exam types of the exams not yet closed (they choose which live models run). */
  openExamTypes(): ExamType[] {
    return (this.db.prepare('SELECT DISTINCT exam_type FROM exams WHERE closed_at IS NULL AND voided_at IS NULL').all() as Array<{ exam_type: ExamType }>).map((r) => r.exam_type);
  }

  /**
   * Its captures in the order they were saved, from the covering index captures_read (migration 30), never
   * past their pixels: `+created_at` keeps the planner off captures_by_exam (ordered, but not covering).
   */
  getExam(id: string): Exam {
    const captures = (this.db.prepare(`SELECT ${CAPTURE_COLUMNS} FROM captures WHERE exam_id = ? ORDER BY +created_at, rowid`).all(id) as Array<Record<string, unknown>>).map((c) => this.#capture(c));
    return { ...examOf(this.#examRow(id)), captures };
  }

  #examRow(id: string): ExamRow {
    const row = this.db.prepare('SELECT * FROM exams WHERE id = ?').get(id) as ExamRow | undefined;
    if (!row) throw new SonoError(ErrorCodes.EXAM_NOT_FOUND, `Exam ${id} does not exist; list exams with GET /api/exams`);
    return row;
  }

  #capture(c: Record<string, unknown>): Capture {
    // each with its value of record (value-of-record.ts): an adjudicated value, never the one it overruled
    const ms = this.db.prepare(`${MEASUREMENT_ROWS} WHERE m.capture_id = ? ORDER BY m.rowid`).all(c.id) as Array<Record<string, unknown>>;
    return {
      id: c.id as string,
      examId: c.exam_id as string,
      createdAt: c.created_at as string,
      frameSeq: c.frame_seq as number,
      width: c.width as number,
      height: c.height as number,
      pixelSpacing: c.pixel_spacing_x ? { x: c.pixel_spacing_x as number, y: c.pixel_spacing_y as number } : null,
      laterality: (c.laterality as Capture['laterality']) ?? null,
      results: JSON.parse(c.results_json as string) as unknown[],
      measurements: ms.map(measurementOf),
      clinicianMeasurements: manualMeasuresOf(this.db, c.id as string),
    };
  }

  /** Pixels of a capture, for DICOM export. */
  capturePixels(captureId: string): { pixels: Buffer; width: number; height: number; channels: number; region: CaptureInput['region'] } {
    const r = this.db.prepare('SELECT pixels, width, height, channels, region_json FROM captures WHERE id = ?').get(captureId) as
      { pixels: Buffer; width: number; height: number; channels: number; region_json: string } | undefined;
    if (!r) throw new SonoError(ErrorCodes.CAPTURE_NOT_FOUND, `Capture ${captureId} does not exist`);
    // an empty blob: retention dropped the pixels (src/service/retention.ts); a black frame keeps SR and report building
    const pixels = r.pixels.length > 0 ? r.pixels : Buffer.alloc(r.width * r.height * r.channels);
    return { pixels, width: r.width, height: r.height, channels: r.channels, region: JSON.parse(r.region_json) as CaptureInput['region'] };
  }

  addCapture(examId: string, input: CaptureInput, actor: string | null): Capture {
    return this.addCaptureOnce(examId, input, actor).capture;
  }

  /**
   * Stores a capture unless this exam already holds the same frame (same sequence and capture time) or the
   * same client key: then that capture is answered and nothing is written (`created` false) but the
   * clinician's calipers measured on it since (`addedMeasures`).
   * `keyNamesFrame` (the default): the client key was made for this very frame, so a key stored with another
   * frame (other sequence, capture time or pixels: sequences restart with the source) is refused with 409
   * SONO_IDEMPOTENCY_KEY_REUSED, never answered with that other frame's capture. false: the key names a tap
   * on "the newest frame" (POST /captures without seq), whose retry may well meet a newer frame.
   * Who captured is recorded by the route in the audit trail; `actor` is who made the clinician's calipers.
   */
  addCaptureOnce(examId: string, input: CaptureInput, actor: string | null, opts: { keyNamesFrame?: boolean } = {}): { capture: Capture; created: boolean; addedMeasures: number } {
    checkFrame({ width: input.width, height: input.height, channels: input.channels, bytes: input.pixels.length, region: input.region }, `Frame ${input.frameSeq}`);
    checkSpacing(input.pixelSpacing, `Frame ${input.frameSeq}'s pixel spacing`);
    const manual = checkManualMeasures(input.clinicianMeasurements, input, input.pixelSpacing);
    const id = randomUUID();
    let added: CheckedMeasure[] = [];
    const existing = this.db
      .transaction((): string | undefined => {
        const exam = examOf(this.#examRow(examId));
        const same = this.#sameCapture(examId, input, opts.keyNamesFrame ?? true);
        // the frame saved again with calipers measured since: they join it (never removed: kept as made)
        const more = same ? missingManualMeasures(this.db, same, manual) : [];
        if (same && more.length > 0) {
          if (exam.voidedAt || exam.closedAt) throw new SonoError(ErrorCodes.EXAM_CLOSED, `Exam ${examId} is ${exam.voidedAt ? 'voided' : 'closed'}; its captures take no more calipers`);
          insertManualMeasures(this.db, same, (added = more), actor, new Date().toISOString());
        }
        if (same) return same;
        if (exam.voidedAt) throw voided(`Exam ${examId} was voided`);
        if (exam.closedAt) throw new SonoError(ErrorCodes.EXAM_CLOSED, `Exam ${examId} is closed; start a new exam to capture more`);
        this.db
          .prepare(
            `INSERT INTO captures (id, exam_id, created_at, frame_seq, width, height, channels, pixels, pixel_spacing_x, pixel_spacing_y, region_json, results_json, frame_timestamp_ms, client_key, laterality)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id,
            examId,
            new Date().toISOString(),
            input.frameSeq,
            input.width,
            input.height,
            input.channels,
            Buffer.from(input.pixels),
            input.pixelSpacing?.x ?? null,
            input.pixelSpacing?.y ?? null,
            JSON.stringify(input.region),
            JSON.stringify(input.results),
            input.frameTimestampMs ?? null,
            input.clientKey ?? null,
            input.laterality ?? null,
          );
        const insert = this.db.prepare(`INSERT INTO measurements (id, capture_id, kind, ai_value, ai_text, ai_geometry_json, unit, model_id, model_version, provider, state)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unverified')`);
        for (const r of input.results) {
          for (const m of measurementRows(exam.examType, r.result)) {
            insert.run(randomUUID(), id, m.kind, m.value, m.text, m.geometry === null ? null : JSON.stringify(m.geometry), m.unit, r.modelId, r.modelVersion, r.provider);
          }
        }
        insertManualMeasures(this.db, id, manual, actor, new Date().toISOString());
        return undefined;
      })
      .immediate();
    // only this capture is read back: an exam's other captures are not re-read on every save
    const capture = this.#capture(this.db.prepare(`SELECT ${CAPTURE_COLUMNS} FROM captures WHERE id = ?`).get(existing ?? id) as Record<string, unknown>);
    return { capture, created: existing === undefined, addedMeasures: added.length };
  }

  #sameCapture(examId: string, input: CaptureInput, keyNamesFrame: boolean): string | undefined {
    const byKey =
      input.clientKey !== undefined
        ? (this.db.prepare('SELECT id, frame_seq, frame_timestamp_ms, pixels FROM captures WHERE exam_id = ? AND client_key = ?').get(examId, input.clientKey) as
            { id: string; frame_seq: number; frame_timestamp_ms: number | null; pixels: Buffer } | undefined)
        : undefined;
    if (byKey && keyNamesFrame) {
      const sameSeq = byKey.frame_seq === input.frameSeq;
      const sameTime = byKey.frame_timestamp_ms === null || input.frameTimestampMs === undefined || byKey.frame_timestamp_ms === input.frameTimestampMs;
      // retention may have dropped the stored pixels (an empty blob): then sequence and time decide
      const samePixels = byKey.pixels.length === 0 || Buffer.compare(byKey.pixels, Buffer.from(input.pixels.buffer, input.pixels.byteOffset, input.pixels.byteLength)) === 0;
      if (!(sameSeq && sameTime && samePixels)) {
        throw new SonoError(
          ErrorCodes.IDEMPOTENCY_KEY_REUSED,
          `The Idempotency-Key "${input.clientKey}" already saved another frame to exam ${examId} (frame ${byKey.frame_seq} captured at ${byKey.frame_timestamp_ms ?? 'an unknown time'}, not frame ${input.frameSeq} captured at ${input.frameTimestampMs ?? 'an unknown time'}); frame numbers restart when the source restarts: reload the page and save the frame again (it sends a key of its own for each frame)`,
          { details: { captureId: byKey.id, frameSeq: input.frameSeq } },
        );
      }
    }
    const byFrame =
      input.frameTimestampMs !== undefined
        ? (this.db.prepare('SELECT id FROM captures WHERE exam_id = ? AND frame_seq = ? AND frame_timestamp_ms = ?').get(examId, input.frameSeq, input.frameTimestampMs) as { id: string } | undefined)
        : undefined;
    return (byKey ?? byFrame)?.id;
  }

  /**
   * The clinician's decision on a measurement (src/records/measurement-decision.ts): `afterClose` lets a closed
   * exam's undecided measurement be decided, `expect` refuses a stale one, `clientKey` makes a retry answer once.
   */
  decide(measurementId: string, d: DecisionInput): Measurement {
    return storeDecision(this.db, measurementId, d);
  }

  /** The decision stored under this client key (a retry whose answer was lost), or undefined when the key is new. */
  replayedDecision(measurementId: string, clientKey: string, requestDigest: string): Measurement | undefined {
    return storedReplay(this.db, measurementId, clientKey, requestDigest);
  }

  /** Closes the exam and, in the same transaction, hands it to `onClosed` (sync queues it). The exam (all its captures) is read once, not three times. */
  closeExam(id: string, actor: string | null, onClosed?: (exam: Exam) => void): Exam {
    return this.db
      .transaction((): Exam => {
        const exam = this.getExam(id);
        if (exam.voidedAt) throw voided(`Exam ${id} was voided`);
        if (exam.closedAt) throw new SonoError(ErrorCodes.EXAM_CLOSED, `Exam ${id} is already closed`);
        const closed = { ...exam, closedAt: new Date().toISOString() };
        this.db.prepare('UPDATE exams SET closed_at = ? WHERE id = ?').run(closed.closedAt, id);
        onClosed?.(closed);
        return closed;
      })
      .immediate();
  }

  /**
   * The patient's visits with a dating GA and a decided HC, oldest first: the input of the growth assessment (the
   * exam's growth route and the printed report's centile and flags). A visit whose HC no clinician confirmed,
   * corrected or adjudicated is left out, as the growth chart leaves it unplotted: a referral flag or a centile
   * printed from a value nobody reviewed would not be true of the record (session-15 review). Anonymous exams
   * have only themselves.
   */
  hcVisits(examId: string): Array<{ examId: string; date: string; gaWeeks: number; hcMm: number }> {
    const exam = examOf(this.#examRow(examId));
    const q = 'SELECT id, created_at, dating_ga_weeks FROM exams';
    const rows = (
      exam.patient?.id ? this.db.prepare(`${q} WHERE patient_id = ? AND voided_at IS NULL ORDER BY created_at`).all(exam.patient.id) : [this.db.prepare(`${q} WHERE id = ?`).get(examId)]
    ) as VisitExam[];
    return hcVisitsOf(this.db, rows).flatMap((v) => {
      const hcMm = v.hcMm;
      return v.gaWeeks !== null && hcMm !== null ? [{ examId: v.examId, date: v.date, gaWeeks: v.gaWeeks, hcMm }] : [];
    });
  }

  /**
   * Voids an open exam started by mistake: kept with who, when and why, takes no more captures or
   * decisions, and is never closed, so never queued for sync. A closed exam has been sent: it is amended, not voided.
   */
  voidExam(id: string, by: string, reason: string): Exam {
    this.db
      .transaction(() => {
        const exam = examOf(this.#examRow(id));
        if (exam.voidedAt) throw voided(`Exam ${id} was already voided`);
        if (exam.closedAt) throw new SonoError(ErrorCodes.EXAM_CLOSED, `Exam ${id} is closed and queued for the PACS; it cannot be voided (sign an amendment instead)`);
        this.db.prepare('UPDATE exams SET voided_at = ?, voided_by = ?, void_reason = ? WHERE id = ?').run(new Date().toISOString(), by, reason, id);
      })
      .immediate();
    return this.getExam(id);
  }

  /** Every decision on a measurement, oldest first (the last is the one in force). */
  decisionHistory(measurementId: string): DecisionRecord[] {
    return (
      this.db.prepare('SELECT decision, final_value, final_text, decided_by, decided_at FROM measurement_decisions WHERE measurement_id = ? ORDER BY id').all(measurementId) as Array<
        Record<string, unknown>
      >
    ).map((r) => ({
      decision: r.decision as DecisionRecord['decision'],
      finalValue: r.final_value as number | null,
      finalText: r.final_text as string | null,
      by: r.decided_by as string,
      at: r.decided_at as string,
    }));
  }
}
