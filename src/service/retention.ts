/**
 * Retention (storage.retention): a board that runs for months must not fill its disk with pixels the PACS
 * already holds. `dropPixelsAfterDays` after an exam was closed, its pixels are dropped — the captured frames
 * (captures.pixels), the cine clips' frames (clips.pixels, up to ~28 MB a clip) and the US images and US
 * Multi-frame images kept in the outbox after sending — while the record stays whole: the exam, its
 * measurements, every decision, signatures, the clips' frame lists, and the SR documents sent.
 *
 * An exam qualifies only when nothing but this device would lose anything:
 * - closed more than N days ago;
 * - signed (a signature revision exists): an unsigned report may still need its images;
 * - acknowledged by every sync target configured now (each has outbox rows for it) and every outbox row of
 *   the exam is 'sent' (nothing pending, nothing rejected);
 * - no outgoing image held or still being checked by the OCR gate (a technician may need its pixels);
 *   a clip's multi-frame image is gated and queued like a capture's images, so an unsent or held clip keeps
 *   its whole exam's pixels.
 * An exam with clips but no capture qualifies like any other.
 * With no sync target configured nothing is ever dropped: the device holds the only copy.
 *
 * Each exam is dropped in its own transaction together with its audit row (action 'retention.drop-pixels', no
 * patient data), so a crash leaves an exam either untouched or dropped and audited. The pixels column is
 * NOT NULL: a dropped capture or clip holds an empty blob (ExamStore.capturePixels and ClipStore.clipsForExport read
 * it as black frames, so a later amended SR, a PDF report or a rebuilt export is still made). SQLite reuses the freed pages for new records; the file does not
 * shrink (VACUUM would need as much free space again, which a full board has not).
 */
import type { Db } from '../records/database.js';
import { US_IMAGE_STORAGE } from '../sync/us-image.js';
import { US_MULTIFRAME_STORAGE } from '../sync/us-multiframe.js';
import type { RetentionConfig } from './storage-config.js';

const DAY_MS = 86_400_000;

/** Where the drop is recorded: the hash-chained audit trail (src/audit). */
export interface RetentionAudit {
  record(event: { user?: string | null; client?: string | null; action: string; target?: string | null; outcome: 'ok' | 'failed'; details?: Record<string, unknown> }): unknown;
}

export interface DroppedExam {
  examId: string;
  closedAt: string;
  captures: number;
  /** cine clips whose frames went */
  clips: number;
  /** outbox images emptied: US images and US Multi-frame images (clips) */
  images: number;
  bytes: number;
}

export interface RetentionRun {
  at: string;
  /** Exams closed before this time were looked at. */
  cutoff: string;
  dropped: DroppedExam[];
}

/**
 * Ids of the exams whose pixels may go now (see the file comment for the rules), oldest first, at most `limit`.
 * Written for a board with months of exams, where the outbox holds every image sent: an outbox row's `state`
 * lies after its payload (reading it pulls the whole image through the cipher, ~0.2 s per 1,000 rows here), so
 * unsent rows are found through the outbox_due index (target, state, …) and only columns before the payload
 * are read row by row. An exam not dropped yet is one whose captures or clips still hold pixels.
 */
export function examsDueForPixelDrop(db: Db, options: { cutoff: string; targets: readonly string[]; limit?: number }): Array<{ id: string; closedAt: string }> {
  if (options.targets.length === 0) return [];
  return db
    .prepare(
      `WITH cover AS (SELECT exam_id, count(DISTINCT target) AS n FROM outbox WHERE target IN (SELECT value FROM json_each(@targets)) GROUP BY exam_id),
       unsent AS (SELECT DISTINCT exam_id FROM outbox WHERE id IN (SELECT rowid FROM outbox INDEXED BY outbox_due WHERE state <> 'sent')),
       px AS (SELECT exam_id FROM captures WHERE length(pixels) > 0 UNION SELECT exam_id FROM clips WHERE length(pixels) > 0)
       SELECT e.id, e.closed_at AS closedAt FROM exams e
         JOIN cover ON cover.exam_id = e.id
         JOIN px ON px.exam_id = e.id
       WHERE e.closed_at IS NOT NULL AND e.closed_at < @cutoff AND cover.n = @targetCount
         AND e.id IN (SELECT exam_id FROM report_revisions WHERE kind = 'signature')
         AND e.id NOT IN (SELECT exam_id FROM unsent)
         AND e.id NOT IN (SELECT exam_id FROM outbox_gate WHERE state IN ('checking', 'held'))
       ORDER BY e.closed_at LIMIT @limit`,
    )
    .all({ cutoff: options.cutoff, targets: JSON.stringify(options.targets), targetCount: new Set(options.targets).size, limit: options.limit ?? 50 }) as Array<{ id: string; closedAt: string }>;
}

/** Drops one exam's pixels and records it in the audit trail, in one transaction. */
export function dropExamPixels(db: Db, audit: RetentionAudit, exam: { id: string; closedAt: string }, days: number): DroppedExam {
  return db.transaction((): DroppedExam => {
    const caps = db.prepare('SELECT count(*) AS n, coalesce(sum(length(pixels)), 0) AS bytes FROM captures WHERE exam_id = ? AND length(pixels) > 0').get(exam.id) as { n: number; bytes: number };
    const clips = db.prepare('SELECT count(*) AS n, coalesce(sum(length(pixels)), 0) AS bytes FROM clips WHERE exam_id = ? AND length(pixels) > 0').get(exam.id) as { n: number; bytes: number };
    // the exam's outbox rows by a scan of the columns before the payload, then each image row by its key
    const rows = db.prepare('SELECT id FROM outbox WHERE exam_id = ? AND sop_class_uid IN (?, ?)').pluck().all(exam.id, US_IMAGE_STORAGE, US_MULTIFRAME_STORAGE) as number[];
    const image = db.prepare("SELECT length(payload) AS bytes FROM outbox WHERE id = ? AND state = 'sent' AND length(payload) > 0");
    const clear = db.prepare("UPDATE outbox SET payload = X'' WHERE id = ?");
    let images = 0;
    let imageBytes = 0;
    for (const id of rows) {
      const r = image.get(id) as { bytes: number } | undefined;
      if (!r) continue;
      clear.run(id);
      images++;
      imageBytes += r.bytes;
    }
    db.prepare("UPDATE captures SET pixels = X'' WHERE exam_id = ? AND length(pixels) > 0").run(exam.id);
    db.prepare("UPDATE clips SET pixels = X'' WHERE exam_id = ? AND length(pixels) > 0").run(exam.id);
    const dropped: DroppedExam = { examId: exam.id, closedAt: exam.closedAt, captures: caps.n, clips: clips.n, images, bytes: caps.bytes + clips.bytes + imageBytes };
    audit.record({
      user: null,
      client: 'daemon',
      action: 'retention.drop-pixels',
      target: exam.id,
      outcome: 'ok',
      details: { closedAt: exam.closedAt, afterDays: days, captures: caps.n, clips: clips.n, images, bytes: dropped.bytes },
    });
    return dropped;
  })();
}

/** One pass: every exam due (in batches of `batch`, each exam its own transaction). Returns what went. */
export function applyRetention(db: Db, audit: RetentionAudit, options: { days: number; targets: readonly string[]; now?: Date; batch?: number }): RetentionRun {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.days * DAY_MS).toISOString();
  const dropped: DroppedExam[] = [];
  for (;;) {
    const due = examsDueForPixelDrop(db, { cutoff, targets: options.targets, limit: options.batch ?? 50 });
    for (const exam of due) dropped.push(dropExamPixels(db, audit, exam, options.days));
    if (due.length < (options.batch ?? 50)) break;
  }
  return { at: now.toISOString(), cutoff, dropped };
}

export interface RetentionJobOptions {
  db: Db;
  audit: RetentionAudit;
  /** Read at each pass: a config reload takes effect at the next one. */
  settings: () => { retention: RetentionConfig; targets: readonly string[] };
  onRun?: (run: RetentionRun) => void;
  onError?: (err: unknown) => void;
}

/**
 * Runs a pass at start and every checkIntervalMinutes while dropPixelsAfterDays > 0. A pass yields to the event
 * loop after each exam (health, frames and the watchdog keep going while months of exams are dropped at once).
 */
export class RetentionJob {
  #timer: NodeJS.Timeout | undefined;
  #last: RetentionRun | undefined;
  #running = false;
  #stopped = false;

  constructor(private readonly options: RetentionJobOptions) {}

  get lastRun(): RetentionRun | undefined {
    return this.#last;
  }

  /** One pass now; undefined when retention is off (0 days), a pass is already running, or the pass failed. */
  async runNow(now = new Date()): Promise<RetentionRun | undefined> {
    const { retention, targets } = this.options.settings();
    if (retention.dropPixelsAfterDays <= 0 || this.#running) return undefined;
    this.#running = true;
    const days = retention.dropPixelsAfterDays;
    const run: RetentionRun = { at: now.toISOString(), cutoff: new Date(now.getTime() - days * DAY_MS).toISOString(), dropped: [] };
    try {
      for (;;) {
        const due = examsDueForPixelDrop(this.options.db, { cutoff: run.cutoff, targets, limit: 20 });
        for (const exam of due) {
          if (this.#stopped) return undefined;
          run.dropped.push(dropExamPixels(this.options.db, this.options.audit, exam, days));
          await new Promise((r) => setImmediate(r));
        }
        if (due.length < 20 || this.#stopped) break;
      }
      this.#last = run;
      this.options.onRun?.(run);
      return run;
    } catch (err) {
      // a failed exam (a full disk refusing even the audit row) is rolled back and tried again next time
      this.options.onError?.(err);
      return undefined;
    } finally {
      this.#running = false;
    }
  }

  start(): void {
    const tick = (): void => {
      void this.runNow().finally(() => {
        if (this.#stopped) return;
        this.#timer = setTimeout(tick, this.options.settings().retention.checkIntervalMinutes * 60_000);
        this.#timer.unref();
      });
    };
    this.#timer = setTimeout(tick, 0);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
