import type { GateEntry, HoldReason } from '../ocr/hold.js';
import type { Db } from '../records/database.js';

export interface OutboxItem {
  id: number;
  target: string;
  examId: string;
  sopInstanceUid: string;
  sopClassUid: string;
  /** `checking` and `held` come from the OCR gate (src/ocr): such an item is not sent until it passes or is released. */
  state: 'pending' | 'sent' | 'rejected' | 'checking' | 'held';
  /** Why it is held (state `held`), else absent. */
  reason?: HoldReason;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: string | null;
}

/**
 * The row closing queues per target instead of the exam's DICOM (src/sync/exam-build.ts): its payload is the
 * exam as closed (identified, like the exams table; never sent), its SOP Instance UID `build:<exam id>`.
 * The sync process builds the exam from it and replaces it with the instances; while it stands, nothing else
 * of that exam is due for that target (a report revision never goes before the images it references).
 */
export const BUILD_CLASS = 'sonoedge:build-exam';
export const buildUidOf = (examId: string): string => `build:${examId}`;

/**
 * Store-and-forward queue in the records database: one row per (target, SOP Instance UID), so queuing
 * the same instance twice, or retrying it, can never make a duplicate. Payloads are de-identified Part 10
 * bytes, kept after delivery or rejection (nothing is lost); a build row's is the exam to build (above).
 */
export class Outbox {
  constructor(private readonly db: Db) {}

  /**
   * Queues instances for `target`; an image with a `gate` entry waits for the OCR gate (or is held at once).
   * `notBefore` (ms since the epoch): not due before then (a report revision's quiet period, revision-coalesce.ts).
   */
  enqueue(target: string, examId: string, instances: Array<{ sopInstanceUid: string; sopClassUid: string; bytes: Buffer; gate?: GateEntry | undefined }>, notBefore = 0): number {
    const ins = this.db.prepare(`INSERT OR IGNORE INTO outbox (target, exam_id, sop_instance_uid, sop_class_uid, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    const gate = this.db.prepare(`INSERT OR IGNORE INTO outbox_gate (sop_instance_uid, exam_id, state, reason_json, created_at) VALUES (?, ?, ?, ?, ?)`);
    let n = 0;
    const now = new Date().toISOString();
    for (const i of instances) {
      n += ins.run(target, examId, i.sopInstanceUid, i.sopClassUid, i.bytes, now, notBefore).changes;
      if (i.gate) gate.run(i.sopInstanceUid, examId, 'hold' in i.gate ? 'held' : 'checking', 'hold' in i.gate ? JSON.stringify(i.gate.hold) : null, now);
    }
    return n;
  }

  /** Queues the build of a closed exam for each target (inside the closing transaction: cheap, no pixels read). */
  enqueueBuild(targets: readonly string[], examId: string, order: Buffer): void {
    const ins = this.db.prepare(`INSERT OR IGNORE INTO outbox (target, exam_id, sop_instance_uid, sop_class_uid, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)`);
    const now = new Date().toISOString();
    for (const t of targets) ins.run(t, examId, buildUidOf(examId), BUILD_CLASS, order, now);
  }

  due(target: string, limit: number, now = Date.now()): Array<OutboxItem & { payload: Buffer }> {
    return (
      this.db.prepare(`SELECT * FROM outbox WHERE target = ? AND state = 'pending' AND next_attempt_at <= ? AND ${NOT_GATED} AND ${BUILT} ORDER BY id LIMIT ?`).all(target, now, limit) as Array<
        Record<string, unknown>
      >
    ).map((r) => ({ ...itemOf(r), payload: r.payload as Buffer }));
  }

  nextAttemptAt(target: string): number | undefined {
    const r = this.db.prepare(`SELECT min(next_attempt_at) t FROM outbox WHERE target = ? AND state = 'pending' AND ${NOT_GATED} AND ${BUILT}`).get(target) as { t: number | null };
    return r.t ?? undefined;
  }

  /** `note` (kept as the item's lastError): why it counts as sent, e.g. the target already held it. */
  markSent(ids: number[], note: string | null = null): void {
    const st = this.db.prepare(`UPDATE outbox SET state = 'sent', sent_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?`);
    const now = new Date().toISOString();
    this.db.transaction(() => ids.forEach((id) => st.run(now, note, id)))();
  }

  markRetry(ids: number[], error: string, delayMs: (attempts: number) => number): void {
    const get = this.db.prepare('SELECT attempts FROM outbox WHERE id = ?');
    const st = this.db.prepare(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?`);
    this.db.transaction(() =>
      ids.forEach((id) => {
        const a = (get.get(id) as { attempts: number }).attempts + 1;
        st.run(error, Date.now() + delayMs(a), id);
      }),
    )();
  }

  markRejected(ids: number[], reason: string): void {
    const st = this.db.prepare(`UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ? WHERE id = ?`);
    this.db.transaction(() => ids.forEach((id) => st.run(reason, id)))();
  }

  /** Rejected items (of one target, one exam, or all) pending again, attempts reset, due now (the reason stays until the next try); how many. */
  requeueRejected(only: { target?: string | undefined; examId?: string | undefined } = {}): number {
    return this.db
      .prepare(`UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = 0 WHERE state = 'rejected' AND (@target IS NULL OR target = @target) AND (@examId IS NULL OR exam_id = @examId)`)
      .run({ target: only.target ?? null, examId: only.examId ?? null }).changes;
  }

  /**
   * Of these instances queued for `target`: which are there, and whether each may still be replaced, i.e.
   * never tried and not due yet (or waiting for its exam's build), so surely not being sent now (the sync
   * process only takes due rows). No payload is read.
   */
  queuedOf(target: string, uids: readonly string[], now = Date.now()): Array<{ id: number; sopInstanceUid: string; replaceable: boolean }> {
    const get = this.db.prepare(
      `SELECT id, sop_instance_uid, state = 'pending' AND attempts = 0 AND (next_attempt_at > @now OR NOT ${BUILT}) replaceable FROM outbox WHERE target = @target AND sop_instance_uid = @uid`,
    );
    return uids.flatMap((uid) => {
      const r = get.get({ target, uid, now }) as { id: number; sop_instance_uid: string; replaceable: number } | undefined;
      return r ? [{ id: r.id, sopInstanceUid: r.sop_instance_uid, replaceable: r.replaceable === 1 }] : [];
    });
  }

  /** Removes rows still replaceable (queuedOf) at `now`: an unsent report revision a newer one replaces. How many. */
  dropReplaceable(ids: readonly number[], now = Date.now()): number {
    const del = this.db.prepare(`DELETE FROM outbox WHERE id = ? AND state = 'pending' AND attempts = 0 AND (next_attempt_at > ? OR NOT ${BUILT})`);
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(id, now).changes, 0))();
  }

  /** Keeps the comments a report revision was queued with (migration 31), for a later one that replaces it unsent. */
  keepRevisionNotes(examId: string, revision: number, notes: readonly string[]): void {
    this.db.prepare('INSERT OR REPLACE INTO report_revision_notes (exam_id, revision, notes_json) VALUES (?, ?, ?)').run(examId, revision, JSON.stringify(notes));
  }

  revisionNotes(examId: string, revision: number): string[] {
    const r = this.db.prepare('SELECT notes_json FROM report_revision_notes WHERE exam_id = ? AND revision = ?').get(examId, revision) as { notes_json: string } | undefined;
    return r ? (JSON.parse(r.notes_json) as string[]) : [];
  }

  items(limit = 500): OutboxItem[] {
    // never the payloads here: this runs on the HTTP thread
    return (
      this.db
        .prepare(
          `SELECT o.id, o.target, o.exam_id, o.sop_instance_uid, o.sop_class_uid, ${STATE} state, g.reason_json, o.attempts, o.next_attempt_at, o.last_error, o.sent_at
      FROM outbox o LEFT JOIN outbox_gate g ON g.sop_instance_uid = o.sop_instance_uid ORDER BY o.id DESC LIMIT ?`,
        )
        .all(limit) as Array<Record<string, unknown>>
    ).map(itemOf);
  }

  counts(): Array<{ target: string; state: string; n: number }> {
    return this.db.prepare(`SELECT o.target, ${STATE} state, count(*) n FROM outbox o LEFT JOIN outbox_gate g ON g.sop_instance_uid = o.sop_instance_uid GROUP BY o.target, 2`).all() as Array<{
      target: string;
      state: string;
      n: number;
    }>;
  }

  examState(examId: string): 'none' | 'pending' | 'sent' | 'rejected' | 'held' {
    const rows = this.db
      .prepare(`SELECT ${STATE} state, count(*) n FROM outbox o LEFT JOIN outbox_gate g ON g.sop_instance_uid = o.sop_instance_uid WHERE o.exam_id = ? GROUP BY 1`)
      .all(examId) as Array<{ state: string; n: number }>;
    if (rows.length === 0) return 'none';
    if (rows.some((r) => r.state === 'rejected')) return 'rejected';
    if (rows.some((r) => r.state === 'pending' || r.state === 'checking')) return 'pending';
    if (rows.some((r) => r.state === 'held')) return 'held';
    return 'sent';
  }
}

/** An item the OCR gate has not let through (queued for reading, or held) is not due. */
const NOT_GATED = `NOT EXISTS (SELECT 1 FROM outbox_gate g WHERE g.sop_instance_uid = outbox.sop_instance_uid AND g.state IN ('checking','held'))`;
/** Not a build row, and its exam's build for this target is done (a build row also meets itself here). */
const BUILT = `NOT EXISTS (SELECT 1 FROM outbox b WHERE b.exam_id = outbox.exam_id AND b.target = outbox.target AND b.sop_class_uid = '${BUILD_CLASS}')`;
/** An item's state as shown: the gate's while it holds the item, else the outbox's. */
const STATE = `CASE WHEN o.state = 'pending' AND g.state IN ('checking','held') THEN g.state ELSE o.state END`;

function itemOf(r: Record<string, unknown>): OutboxItem {
  return {
    id: r.id as number,
    target: r.target as string,
    examId: r.exam_id as string,
    sopInstanceUid: r.sop_instance_uid as string,
    sopClassUid: r.sop_class_uid as string,
    state: r.state as OutboxItem['state'],
    ...(r.state === 'held' && typeof r.reason_json === 'string' ? { reason: JSON.parse(r.reason_json) as HoldReason } : {}),
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as number,
    lastError: r.last_error as string | null,
    sentAt: r.sent_at as string | null,
  };
}
