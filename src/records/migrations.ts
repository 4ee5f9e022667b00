/**
 * Versioned schema migrations. Append only: a released migration is never edited; a new one is added.
 * The list is split by era only to keep files short: versions 1-20 (the first records schema, the outbox and
 * access) here, 21 onwards in migrations-since-21.ts, which is where a new migration is appended. The order of
 * application is this list's order, unchanged by the split.
 */
import { LATER_MIGRATIONS, type Migration } from './migrations-since-21.js';

export type { Migration } from './migrations-since-21.js';

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: 'exams, captures, measurements, audit log',
    sql: `
      CREATE TABLE exams (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        closed_at TEXT,
        patient_name TEXT, patient_id TEXT, patient_birth_date TEXT, patient_sex TEXT,
        dating_ga_weeks REAL,
        operator TEXT,
        exam_type TEXT NOT NULL DEFAULT 'obstetric'
      );
      CREATE TABLE captures (
        id TEXT PRIMARY KEY,
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        created_at TEXT NOT NULL,
        frame_seq INTEGER NOT NULL,
        width INTEGER NOT NULL, height INTEGER NOT NULL, channels INTEGER NOT NULL,
        pixels BLOB NOT NULL,
        pixel_spacing_x REAL, pixel_spacing_y REAL,
        region_json TEXT NOT NULL,
        results_json TEXT NOT NULL
      );
      CREATE TABLE measurements (
        id TEXT PRIMARY KEY,
        capture_id TEXT NOT NULL REFERENCES captures(id) ON DELETE RESTRICT,
        kind TEXT NOT NULL,
        ai_value REAL, unit TEXT NOT NULL,
        model_id TEXT, model_version TEXT, provider TEXT,
        ai_geometry_json TEXT,
        state TEXT NOT NULL DEFAULT 'unverified' CHECK (state IN ('unverified','confirmed','corrected')),
        final_value REAL, final_geometry_json TEXT,
        decided_by TEXT, decided_at TEXT
      );
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT,
        action TEXT NOT NULL,
        entity TEXT,
        details_json TEXT
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'store-and-forward outbox',
    sql: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        target TEXT NOT NULL,
        exam_id TEXT NOT NULL REFERENCES exams(id) ON DELETE RESTRICT,
        sop_instance_uid TEXT NOT NULL,
        sop_class_uid TEXT NOT NULL,
        payload BLOB NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','rejected')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (target, sop_instance_uid)
      );
      CREATE INDEX outbox_due ON outbox (target, state, next_attempt_at);
    `,
  },
  {
    // exams.exam_type has existed since version 1 (default 'obstetric'); categorical lesion findings need text
    version: 3,
    name: 'categorical measurements (lesion orientation, margin, class)',
    sql: `
      ALTER TABLE measurements ADD COLUMN ai_text TEXT;
      ALTER TABLE measurements ADD COLUMN final_text TEXT;
    `,
  },
  {
    // A frame posted twice to one exam (a double tap, a retry) is stored once: captures are keyed on the
    // exam, the frame's sequence and its capture time, and optionally on a key the client sends.
    version: 4,
    name: 'idempotent captures (frame identity, client key)',
    sql: `
      ALTER TABLE captures ADD COLUMN frame_timestamp_ms REAL;
      ALTER TABLE captures ADD COLUMN client_key TEXT;
      CREATE UNIQUE INDEX captures_once_per_frame ON captures (exam_id, frame_seq, frame_timestamp_ms) WHERE frame_timestamp_ms IS NOT NULL;
      CREATE UNIQUE INDEX captures_once_per_client_key ON captures (exam_id, client_key) WHERE client_key IS NOT NULL;
    `,
  },
  {
    // Numbered apart from the records migrations (4, 5, …) that are added alongside: an order of application
    // between the two groups does not matter, their tables are independent.
    version: 20,
    name: 'accounts, sessions, API tokens, hash-chained audit trail (src/access, src/audit)',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('clinician','technician','admin')),
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled_at TEXT,
        failures_in_row INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE sign_in_failures (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        at INTEGER NOT NULL
      );
      CREATE INDEX sign_in_failures_by_user ON sign_in_failures (user_id, at);
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
        client TEXT,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
        label TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT,
        last_used_at TEXT,
        revoked_at TEXT
      );
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        user TEXT,
        role TEXT,
        client TEXT,
        action TEXT NOT NULL,
        target TEXT,
        outcome TEXT NOT NULL,
        details_json TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_by_action ON audit (action, id);
      CREATE INDEX audit_by_user ON audit (user, id);
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    `,
  },
  ...LATER_MIGRATIONS,
];
