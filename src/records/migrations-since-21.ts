/**
 * Schema migrations from version 21 on (the OCR gate, decisions, reports, dating and voiding, clips, calipers):
 * the second half of MIGRATIONS (migrations.ts re-exports them after versions 1-20). Append only: a released
 * migration is never edited; a new one is added at the end of this list.
 */

/** One schema migration: applied once, in list order, recorded in schema_migrations by its version. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const LATER_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 21,
    name: 'OCR gate on outgoing images',
    // One row per outgoing image (its SOP Instance UID, whatever the targets): checked once, held or passed
    // once. The outbox's own state CHECK cannot be widened in SQLite without rebuilding the table, so the
    // gate is its own table and the outbox's due query leaves out what it holds.
    sql: `
      CREATE TABLE outbox_gate (
        sop_instance_uid TEXT PRIMARY KEY,
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        state TEXT NOT NULL CHECK (state IN ('checking','held','passed','released')),
        reason_json TEXT,
        checked_at TEXT,
        decided_by TEXT,
        decided_at TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX outbox_gate_state ON outbox_gate (state);
    `,
  },
  {
    version: 22,
    name: 'Decision history',
    // Deciding again (a second clinician, a correction of a correction) keeps every earlier decision: the
    // measurement row holds the one in force, this table every one in order, who made it and when. Append-only.
    sql: `
      CREATE TABLE measurement_decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        measurement_id TEXT NOT NULL REFERENCES measurements(id) ON DELETE RESTRICT,
        decision TEXT NOT NULL CHECK (decision IN ('confirmed','corrected')),
        final_value REAL,
        final_text TEXT,
        final_geometry_json TEXT,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL
      );
      CREATE INDEX measurement_decisions_by_measurement ON measurement_decisions (measurement_id, id);
      INSERT INTO measurement_decisions (measurement_id, decision, final_value, final_text, final_geometry_json, decided_by, decided_at)
        SELECT id, state, final_value, final_text, final_geometry_json, COALESCE(decided_by, ''), COALESCE(decided_at, '')
        FROM measurements WHERE state IN ('confirmed','corrected') ORDER BY decided_at;
      CREATE TRIGGER measurement_decisions_no_update BEFORE UPDATE ON measurement_decisions BEGIN SELECT RAISE(ABORT, 'decision history is append-only'); END;
      CREATE TRIGGER measurement_decisions_no_delete BEFORE DELETE ON measurement_decisions BEGIN SELECT RAISE(ABORT, 'decision history is append-only'); END;
    `,
  },
  {
    version: 23,
    name: 'Report revisions, signatures and second reading',
    // Append-only, like the decision history: a signature or an amendment is a new report revision (revision 0
    // is the one closing sends), with who, when and the UIDs of the SR instances it sent; a second reader's
    // opinion per measurement and the adjudication of a disagreement are kept beside the first decision.
    sql: `
      CREATE TABLE report_revisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        kind TEXT NOT NULL CHECK (kind IN ('signature','amendment')),
        by_user TEXT NOT NULL,
        at TEXT NOT NULL,
        sr_uid TEXT,
        ob_sr_uid TEXT,
        UNIQUE (exam_id, revision)
      );
      CREATE TABLE second_reads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        measurement_id TEXT NOT NULL REFERENCES measurements(id) ON DELETE RESTRICT,
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        reader TEXT NOT NULL,
        agree INTEGER NOT NULL CHECK (agree IN (0, 1)),
        value REAL,
        text TEXT,
        note TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX second_reads_by_measurement ON second_reads (measurement_id, id);
      CREATE TABLE adjudications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        measurement_id TEXT NOT NULL REFERENCES measurements(id) ON DELETE RESTRICT,
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        by_user TEXT NOT NULL,
        value REAL,
        text TEXT,
        note TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX adjudications_by_measurement ON adjudications (measurement_id, id);
      CREATE TRIGGER report_revisions_no_update BEFORE UPDATE ON report_revisions BEGIN SELECT RAISE(ABORT, 'report revisions are append-only'); END;
      CREATE TRIGGER report_revisions_no_delete BEFORE DELETE ON report_revisions BEGIN SELECT RAISE(ABORT, 'report revisions are append-only'); END;
      CREATE TRIGGER second_reads_no_update BEFORE UPDATE ON second_reads BEGIN SELECT RAISE(ABORT, 'second reads are append-only'); END;
      CREATE TRIGGER second_reads_no_delete BEFORE DELETE ON second_reads BEGIN SELECT RAISE(ABORT, 'second reads are append-only'); END;
      CREATE TRIGGER adjudications_no_update BEFORE UPDATE ON adjudications BEGIN SELECT RAISE(ABORT, 'adjudications are append-only'); END;
      CREATE TRIGGER adjudications_no_delete BEFORE DELETE ON adjudications BEGIN SELECT RAISE(ABORT, 'adjudications are append-only'); END;
    `,
  },
  {
    version: 24,
    name: 'Exam dating, accession number and voiding',
    // An exam started by mistake is voided, never deleted: who, when and why stay on the row (and in the audit
    // trail); a voided exam takes no captures or decisions, is never closed, so never queued for sync.
    sql: `
      ALTER TABLE exams ADD COLUMN dating_method TEXT;
      ALTER TABLE exams ADD COLUMN dating_date TEXT;
      ALTER TABLE exams ADD COLUMN accession_number TEXT;
      ALTER TABLE exams ADD COLUMN voided_at TEXT;
      ALTER TABLE exams ADD COLUMN voided_by TEXT;
      ALTER TABLE exams ADD COLUMN void_reason TEXT;
      CREATE INDEX exams_by_patient ON exams (patient_id, created_at);
    `,
  },
  {
    version: 25,
    name: 'Cine clips',
    // A short cine clip saved to an exam (src/records/clip-store.ts): every frame's pixels in one blob (the
    // database is encrypted as a whole), the frames' sequence numbers and capture times, the region and
    // spacing they share. A clip is stored once per client key and once per frame range (a double tap, a retry).
    sql: `
      CREATE TABLE clips (
        id TEXT PRIMARY KEY,
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        frame_count INTEGER NOT NULL CHECK (frame_count >= 2),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        channels INTEGER NOT NULL CHECK (channels IN (1, 3)),
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        first_timestamp_ms REAL NOT NULL,
        seqs_json TEXT NOT NULL,
        timestamps_json TEXT NOT NULL,
        pixel_spacing_x REAL,
        pixel_spacing_y REAL,
        region_json TEXT NOT NULL,
        pixels BLOB NOT NULL,
        client_key TEXT
      );
      CREATE INDEX clips_by_exam ON clips (exam_id, created_at);
      CREATE UNIQUE INDEX clips_once_per_range ON clips (exam_id, first_seq, first_timestamp_ms, last_seq);
      CREATE UNIQUE INDEX clips_once_per_client_key ON clips (exam_id, client_key) WHERE client_key IS NOT NULL;
    `,
  },
  {
    version: 26,
    name: "The clinician's own calipers on a capture",
    // Distance and area calipers a clinician measured on the frame (src/records/manual-measures.ts): stored
    // with their capture in one transaction, the value recomputed from the points and the frame's spacing;
    // made once with the capture, never changed afterwards.
    sql: `
      CREATE TABLE manual_measures (
        id TEXT PRIMARY KEY,
        capture_id TEXT NOT NULL REFERENCES captures(id) ON DELETE RESTRICT,
        kind TEXT NOT NULL CHECK (kind IN ('distance','area')),
        n INTEGER NOT NULL CHECK (n >= 1),
        points_json TEXT NOT NULL,
        value REAL NOT NULL,
        unit TEXT NOT NULL CHECK (unit IN ('mm','mm²','px','px²')),
        made_by TEXT,
        made_at TEXT NOT NULL
      );
      CREATE INDEX manual_measures_by_capture ON manual_measures (capture_id);
      CREATE TRIGGER manual_measures_no_update BEFORE UPDATE ON manual_measures BEGIN SELECT RAISE(ABORT, 'manual measures are kept as made'); END;
      CREATE TRIGGER manual_measures_no_delete BEFORE DELETE ON manual_measures BEGIN SELECT RAISE(ABORT, 'manual measures are kept as made'); END;
    `,
  },
  {
    version: 27,
    name: 'A decision stored once per client key',
    // POST /api/measurements/:id/decision takes an Idempotency-Key (scoped to the measurement): the decision
    // row keeps it with a digest of the request, so a retry whose answer was lost is answered from its row
    // (no second history row, even on a closed exam) and the same key with another request is refused.
    sql: `
      ALTER TABLE measurement_decisions ADD COLUMN client_key TEXT;
      ALTER TABLE measurement_decisions ADD COLUMN request_digest TEXT;
      CREATE UNIQUE INDEX measurement_decisions_once_per_client_key ON measurement_decisions (measurement_id, client_key) WHERE client_key IS NOT NULL;
    `,
  },
  {
    version: 28,
    name: 'The second reading each adjudication answers',
    // An adjudication answers the second reading that was the latest when it was made; a later disagreement
    // flags again. Deciding that by comparing timestamps fails for two in the same millisecond or a clock that
    // stepped back, and ids of two tables do not compare, so each adjudication names the second reading it
    // answers. Rows made before: linked by the rule used until now (the latest second reading at or before
    // the adjudication's time), so every measurement reads as it did; the no-update trigger stands aside for
    // that one update only.
    sql: `
      ALTER TABLE adjudications ADD COLUMN second_read_id INTEGER REFERENCES second_reads(id) ON DELETE RESTRICT;
      DROP TRIGGER adjudications_no_update;
      UPDATE adjudications SET second_read_id = (
        SELECT s.id FROM second_reads s WHERE s.measurement_id = adjudications.measurement_id AND s.at <= adjudications.at ORDER BY s.id DESC LIMIT 1
      );
      CREATE TRIGGER adjudications_no_update BEFORE UPDATE ON adjudications BEGIN SELECT RAISE(ABORT, 'adjudications are append-only'); END;
    `,
  },
  {
    version: 29,
    name: 'Exam builds queued at close; captures and outbox rows by exam',
    // Closing queues one row per target that says "build this exam" (sop_class_uid 'sonoedge:build-exam',
    // its payload the exam as closed) instead of the DICOM itself; the sync process builds it off the
    // daemon's event loop (src/sync/exam-build.ts). An exam's outbox rows are found by exam (the build's
    // commit, the due query's "is this exam built" test, the exam's sync state) without reading payloads;
    // the builds due by their own small index; captures by exam (every exam read).
    sql: `
      CREATE INDEX IF NOT EXISTS captures_by_exam ON captures (exam_id, created_at);
      CREATE INDEX outbox_by_exam ON outbox (exam_id, target, sop_class_uid);
      CREATE INDEX outbox_builds ON outbox (next_attempt_at) WHERE sop_class_uid = 'sonoedge:build-exam';
    `,
  },
  {
    version: 30,
    name: 'Reads that never walk a payload or pixel blob',
    // A row's columns stored after its BLOB (outbox.state after the payload, captures.results_json after the
    // pixels) are read by walking the blob's overflow pages: covering indexes answer the exam list's sync
    // state, the sync screen's items and every exam read from the index alone; measurements by capture.
    sql: `
      CREATE INDEX outbox_exam_state ON outbox (exam_id, state, sop_instance_uid);
      CREATE INDEX outbox_items ON outbox (id, target, exam_id, sop_instance_uid, sop_class_uid, state, attempts, next_attempt_at, sent_at, last_error);
      CREATE INDEX measurements_by_capture ON measurements (capture_id);
      CREATE INDEX captures_read ON captures (exam_id, created_at, id, frame_seq, width, height, pixel_spacing_x, pixel_spacing_y, results_json);
    `,
  },
  {
    version: 32,
    name: 'The breast each capture was taken on',
    // A breast lesion with a malignancy probability and a biopsy alert must name its breast (left or right):
    // a sonographer scans both in one visit, so the side is the capture's (src/protocol/laterality.ts). Captures
    // stored before keep NULL (side not recorded). The covering index every exam read uses (migration 30)
    // takes the column too, so reading it never walks the pixels stored before it.
    sql: `
      ALTER TABLE captures ADD COLUMN laterality TEXT CHECK (laterality IN ('left','right'));
      DROP INDEX captures_read;
      CREATE INDEX captures_read ON captures (exam_id, created_at, id, frame_seq, width, height, pixel_spacing_x, pixel_spacing_y, results_json, laterality);
    `,
  },
  {
    version: 31,
    name: 'Comments of each report revision, for one replaced before it was sent',
    // A report revision still waiting to be sent is replaced by a newer one (src/sync/revision-coalesce.ts):
    // a burst of decisions after closing sends one revision, not one each. The newer one repeats what each
    // replaced one said; its comments are kept here (identified, like the exams table; de-identified when built).
    sql: `
      CREATE TABLE report_revision_notes (
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        revision INTEGER NOT NULL,
        notes_json TEXT NOT NULL,
        PRIMARY KEY (exam_id, revision)
      );
    `,
  },
];
