/**
 * Building a closed exam's DICOM, off the daemon's event loop. Encoding every image (de-identified) of a
 * 60-capture exam is seconds of CPU; done inside the closing transaction it froze every live viewer and
 * request for that long. Closing now only queues a build row per target (Outbox.enqueueBuild, in the same
 * transaction, so an acknowledged close is never lost); the sync process (nice 19) builds the exam from the
 * exam as it was closed and, in one transaction, replaces the build rows with the instances, byte for byte
 * what building at close gave. A process killed before that commit leaves the build rows: the next one
 * builds again (UIDs derive from record ids, so the same instances). A build that fails is a rejected build
 * row with a coded error on the sync page, and the other exams go on.
 */
import { ErrorCodes, errorMessage } from '../errors.js';
import { ClipStore } from '../records/clip-store.js';
import type { Db } from '../records/database.js';
import { ExamStore } from '../records/exam-store.js';
import type { Exam } from '../records/types.js';
import { type DicomInstance, type ExportOptions, buildExamInstances } from './export-exam.js';
import { BUILD_CLASS, Outbox } from './outbox.js';
import { checkedCapturePixels } from './capture-geometry.js';

/** What closing fixes besides the exam: the options as they were then (the secret comes to the builder apart). */
export type BuildOptions = Pick<ExportOptions, 'dates' | 'deviceSerial' | 'softwareVersion'>;

interface BuildOrder {
  v: 1;
  exam: Exam;
  options: BuildOptions;
}

/** A build row's payload: the exam as closed (captures' records, not their pixels) and the options. */
export function buildOrder(exam: Exam, options: BuildOptions): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, exam, options } satisfies BuildOrder));
}

/**
 * Builds interrupted this many times (the process crashed or was killed mid-build) are not tried again. A
 * daemon stop waits for a build in progress (SyncService.stop), so restarts do not use these up; a
 * transient database error (SQLITE_BUSY…) is not a start that never finished and is not counted.
 */
export const MAX_BUILD_STARTS = 5;

export interface BuildOutcome {
  examId: string;
  outcome: 'built' | 'failed' | 'retry';
  /** instances queued per target (built) */
  instances: number;
  /** the outbox error written (failed, retry) */
  error?: string;
}

const TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM)/;

/**
 * Builds the oldest exam whose build is due, if any, and queues its instances for every target that waits
 * for it. Synchronous (better-sqlite3 and the encoders are): run it where blocking is harmless.
 */
export function buildNextExam(db: Db, secret: string, retryDelayMs: (attempts: number) => number, now = Date.now()): BuildOutcome | undefined {
  const next = db
    .prepare(`SELECT exam_id, max(attempts) attempts FROM outbox WHERE sop_class_uid = '${BUILD_CLASS}' AND state = 'pending' AND next_attempt_at <= ? GROUP BY exam_id ORDER BY min(id) LIMIT 1`)
    .get(now) as { exam_id: string; attempts: number } | undefined;
  if (!next) return undefined;
  const examId = next.exam_id;
  const rows = () => db.prepare(`SELECT id FROM outbox WHERE exam_id = ? AND sop_class_uid = '${BUILD_CLASS}' AND state = 'pending'`).pluck().all(examId) as number[];
  const outbox = new Outbox(db);
  if (next.attempts >= MAX_BUILD_STARTS) {
    const error = `${ErrorCodes.EXPORT_INVALID}: building this exam's DICOM was started ${next.attempts} times and never finished (the sync process crashed or was killed each time); nothing of the exam is sent. Its record is kept on the device: report exam ${examId} to support`;
    outbox.markRejected(rows(), error);
    return { examId, outcome: 'failed', instances: 0, error };
  }
  // counted before the work: a build that kills its process is not tried for ever
  db.prepare(`UPDATE outbox SET attempts = attempts + 1 WHERE exam_id = ? AND sop_class_uid = '${BUILD_CLASS}' AND state = 'pending'`).run(examId);
  let instances: DicomInstance[];
  try {
    const payload = db.prepare(`SELECT payload FROM outbox WHERE exam_id = ? AND sop_class_uid = '${BUILD_CLASS}' AND state = 'pending' ORDER BY id LIMIT 1`).pluck().get(examId) as Buffer;
    const order = JSON.parse(payload.toString('utf8')) as BuildOrder;
    if (order.v !== 1 || order.exam?.id !== examId) throw new Error(`the build row does not hold exam ${examId} (version ${String(order.v)})`);
    const store = new ExamStore(db);
    const clips = new ClipStore(db).clipsForExport(examId);
    instances = buildExamInstances(order.exam, (id) => checkedCapturePixels(store, id), { secret, ...order.options, deidentified: true, clips });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT.test(code)) {
      const error = `${ErrorCodes.EXPORT_INVALID}: the exam's DICOM could not be built yet (${code}: ${errorMessage(err)}); trying again`;
      // the start counted above ended here, not in a crash: taken back, and tried again after the retry delay
      const retry = db.prepare('UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?');
      for (const id of rows()) retry.run(next.attempts, error, now + retryDelayMs(next.attempts + 1), id);
      return { examId, outcome: 'retry', instances: 0, error };
    }
    const why = typeof code === 'string' ? `${code}: ${errorMessage(err)}` : errorMessage(err);
    const error = `${ErrorCodes.EXPORT_INVALID}: this exam's DICOM could not be built (${why}); nothing of the exam is sent. Its record is kept on the device: report exam ${examId} to support`;
    outbox.markRejected(rows(), error);
    return { examId, outcome: 'failed', instances: 0, error };
  }
  commitBuild(db, examId, instances);
  return { examId, outcome: 'built', instances: instances.length };
}

/**
 * Replaces each target's build row with the instances, in one transaction. Report revisions queued for the
 * exam while it waited (a signature, an amendment) are queued again after the images, so the queue's order
 * (by id) still sends the images before the reports that reference them.
 */
function commitBuild(db: Db, examId: string, instances: DicomInstance[]): void {
  const outbox = new Outbox(db);
  db.transaction(() => {
    const builds = db.prepare(`SELECT id, target FROM outbox WHERE exam_id = ? AND sop_class_uid = '${BUILD_CLASS}' AND state = 'pending'`).all(examId) as Array<{ id: number; target: string }>;
    for (const b of builds) {
      const waiting = db.prepare(`SELECT * FROM outbox WHERE exam_id = ? AND target = ? AND sop_class_uid <> '${BUILD_CLASS}' ORDER BY id`).all(examId, b.target) as Array<Record<string, unknown>>;
      const del = db.prepare('DELETE FROM outbox WHERE id = ?');
      for (const w of waiting) del.run(w.id);
      outbox.enqueue(b.target, examId, instances);
      const again = db.prepare(
        `INSERT INTO outbox (target, exam_id, sop_instance_uid, sop_class_uid, payload, state, attempts, next_attempt_at, last_error, created_at, sent_at)
         VALUES (@target, @exam_id, @sop_instance_uid, @sop_class_uid, @payload, @state, @attempts, @next_attempt_at, @last_error, @created_at, @sent_at)
         ON CONFLICT (target, sop_instance_uid) DO NOTHING`,
      );
      for (const w of waiting) {
        const { id: _id, ...row } = w;
        again.run(row);
      }
      del.run(b.id);
    }
  }).immediate();
}
