/**
 * The OCR gate's table (outbox_gate, one row per outgoing image whatever the targets) and the payloads it
 * reads and rewrites in the outbox. Synchronous SQLite: the daemon uses it for the technician's decisions,
 * the sync process for the checks.
 */
import type { Db } from '../records/database.js';
import type { GateState, HoldReason } from './hold.js';
import { type Identifier, identifiersOf } from './identifiers.js';

export interface GateRow {
  sopInstanceUid: string;
  examId: string;
  state: GateState;
  reason: HoldReason | undefined;
  decidedBy: string | null;
}

export class GateStore {
  constructor(private readonly db: Db) {}

  /**
   * The next images waiting for the OCR, with one copy of their payload (every target holds the same bytes).
   * A row stays `checking` until a run gives a verdict, so one whose run was cut short (the sync process killed,
   * the device restarted) is read again here; one whose last run failed waits until `retryAfter` (ISO time) has
   * passed since that run.
   */
  toCheck(limit: number, retryAfter = new Date().toISOString()): Array<{ sopInstanceUid: string; examId: string; payload: Buffer }> {
    return this.db
      .prepare(
        `SELECT g.sop_instance_uid uid, g.exam_id examId, (SELECT payload FROM outbox o WHERE o.sop_instance_uid = g.sop_instance_uid LIMIT 1) payload
      FROM outbox_gate g WHERE g.state = 'checking' AND (g.reason_json IS NULL OR g.checked_at IS NULL OR g.checked_at <= ?)
      ORDER BY g.created_at, g.sop_instance_uid LIMIT ?`,
      )
      .all(retryAfter, limit)
      .map((r) => r as { uid: string; examId: string; payload: Buffer | null })
      .filter((r): r is { uid: string; examId: string; payload: Buffer } => r.payload !== null)
      .map((r) => ({ sopInstanceUid: r.uid, examId: r.examId, payload: r.payload }));
  }

  /** The identifiers the records hold for an exam (none for an anonymous exam or one not found): for one check, in memory only. */
  identifiersOf(examId: string): Identifier[] {
    const r = this.db.prepare('SELECT patient_name, patient_id, patient_birth_date, accession_number FROM exams WHERE id = ?').get(examId) as Record<string, string | null> | undefined;
    return r ? identifiersOf({ patientName: r.patient_name, patientId: r.patient_id, birthDate: r.patient_birth_date, accessionNumber: r.accession_number }) : [];
  }

  get(sopInstanceUid: string): GateRow | undefined {
    const r = this.db.prepare('SELECT sop_instance_uid, exam_id, state, reason_json, decided_by FROM outbox_gate WHERE sop_instance_uid = ?').get(sopInstanceUid) as
      Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      sopInstanceUid: r.sop_instance_uid as string,
      examId: r.exam_id as string,
      state: r.state as GateState,
      reason: typeof r.reason_json === 'string' ? (JSON.parse(r.reason_json) as HoldReason) : undefined,
      decidedBy: r.decided_by as string | null,
    };
  }

  /** The SOP Instance UID and a payload of an outbox item (the route names items by their id). */
  itemById(id: number): { sopInstanceUid: string; payload: Buffer } | undefined {
    const r = this.db.prepare('SELECT sop_instance_uid uid, payload FROM outbox WHERE id = ?').get(id) as { uid: string; payload: Buffer } | undefined;
    return r && { sopInstanceUid: r.uid, payload: r.payload };
  }

  /** The OCR's verdict on an image still being checked (a decision taken meanwhile is not overwritten). */
  checked(sopInstanceUid: string, hold: HoldReason | undefined): void {
    this.db
      .prepare(`UPDATE outbox_gate SET state = ?, reason_json = ?, checked_at = ? WHERE sop_instance_uid = ? AND state = 'checking'`)
      .run(hold ? 'held' : 'passed', hold ? JSON.stringify(hold) : null, new Date().toISOString(), sopInstanceUid);
  }

  /**
   * An OCR run that gave no verdict (tesseract missing, a timeout): the image stays `checking` with the failure
   * noted, to be read again on a later pass, until `maxAttempts` runs have failed; then it is held with
   * SONO_OCR_FAILED. Returns what became of it.
   */
  failed(sopInstanceUid: string, reason: HoldReason, maxAttempts: number): 'retry' | 'held' | 'decided' {
    return this.db.transaction(() => {
      const row = this.get(sopInstanceUid);
      if (row?.state !== 'checking') return 'decided';
      const attempts = (row.reason?.code === 'SONO_OCR_FAILED' ? (row.reason.attempts ?? 1) : 0) + 1;
      const state = attempts >= maxAttempts ? 'held' : 'checking';
      this.db
        .prepare(`UPDATE outbox_gate SET state = ?, reason_json = ?, checked_at = ? WHERE sop_instance_uid = ? AND state = 'checking'`)
        .run(state, JSON.stringify({ ...reason, attempts }), new Date().toISOString(), sopInstanceUid);
      return state === 'held' ? 'held' : 'retry';
    })();
  }

  /**
   * A technician's decision on a held image: its new payload goes to every target not yet sent, and the image
   * is either released as it is (`released`) or, masked, read again (`checking`).
   */
  decide(sopInstanceUid: string, payload: Buffer, next: 'released' | 'checking', by: string | null): void {
    this.db.transaction(() => {
      this.db.prepare(`UPDATE outbox SET payload = ? WHERE sop_instance_uid = ? AND state = 'pending'`).run(payload, sopInstanceUid);
      this.db
        .prepare(`UPDATE outbox_gate SET state = ?, reason_json = CASE WHEN ? = 'checking' THEN NULL ELSE reason_json END, decided_by = ?, decided_at = ? WHERE sop_instance_uid = ?`)
        .run(next, next, by, new Date().toISOString(), sopInstanceUid);
    })();
  }
}
